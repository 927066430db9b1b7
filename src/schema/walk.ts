/**
 * The one way this codebase walks a JSON Schema, with one table of what each keyword holds.
 *
 * The trap every hand-written walk falls into: under `properties` (and the other name→schema
 * maps) the keys are names the spec chose, so a property called `default`, `enum` or `__proto__`
 * is a schema like any other, never a keyword, and is kept as an own key. And under `enum`,
 * `default` or `examples` the value is data, never a schema, however much it looks like one.
 */
import { setOwn } from './set-own.js';

/** Keywords whose value maps names chosen by the spec to subschemas (draft-07 `dependencies` also to lists of names). */
export const SCHEMA_MAPS: ReadonlySet<string> = new Set(['properties', '$defs', 'definitions', 'patternProperties', 'dependentSchemas', 'dependencies']);
/** Keywords whose value is data (or names), not a schema: copied as they are. */
export const DATA_KEYWORDS: ReadonlySet<string> = new Set(['enum', 'const', 'examples', 'example', 'default', 'required', 'type', 'dependentRequired']);
/** Keywords whose value is a list of subschemas. */
export const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords whose value is one subschema (`items` may also be a draft-07 tuple, i.e. a list). */
export const SCHEMA_VALUES = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'contentSchema'] as const;

type Schema = Record<string, unknown>;
export const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A copy of a schema object with `fn` applied to every subschema directly below it. Data
 * keywords are copied as they are; under name→schema maps every name is kept as an own key with
 * `fn` applied to its value; any other keyword's value (or each element of a list) goes through
 * `fn`, which returns what is not a schema object unchanged. `keyword` may take over a key: it
 * returns true when it has written `out` itself.
 */
export function mapSubschemas(
  obj: Schema,
  fn: (sub: unknown) => unknown,
  keyword?: (key: string, value: unknown, out: Schema) => boolean,
): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(obj)) {
    if (keyword?.(key, value, out)) continue;
    if (DATA_KEYWORDS.has(key)) {
      setOwn(out, key, value);
    } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      const map: Schema = {};
      for (const [name, sub] of Object.entries(value)) setOwn(map, name, fn(sub));
      setOwn<unknown>(out, key, map);
    } else {
      setOwn(out, key, Array.isArray(value) ? value.map(fn) : fn(value));
    }
  }
  return out;
}

export type Pointer = ReadonlyArray<string | number>;

/** Keywords whose value may be a list of subschemas (`items`: a draft-07 tuple). */
const LIST_KEYS: readonly string[] = [...SCHEMA_LISTS, 'items'];

/** The subschemas directly below `schema`, each with the keyword and (under maps and lists) the name or index. */
export function eachChild(schema: Schema, fn: (sub: unknown, key: string, name?: string | number) => void): void {
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (isObject(map)) for (const [name, sub] of Object.entries(map)) fn(sub, key, name);
  }
  for (const key of LIST_KEYS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => fn(sub, key, i));
  }
  for (const key of SCHEMA_VALUES) if (isObject(schema[key])) fn(schema[key], key);
}

/**
 * Every subschema below `schema` (itself included) with its pointer, depth first: only the
 * keywords of the table above are entered, so a visitor never mistakes data or a property name
 * for a schema. `visit` returning false skips what lies below that node.
 */
export function forEachSubschema(schema: unknown, visit: (node: Schema, at: Pointer) => boolean | void, at: Pointer = []): void {
  if (!isObject(schema) || visit(schema, at) === false) return;
  eachChild(schema, (sub, key, name) => forEachSubschema(sub, visit, name === undefined ? [...at, key] : [...at, key, name]));
}

/** Whether some subschema (the root included) satisfies `test`; stops at the first. */
export function someSubschema(schema: unknown, test: (node: Schema) => boolean): boolean {
  if (!isObject(schema)) return false;
  if (test(schema)) return true;
  let found = false;
  eachChild(schema, (sub) => {
    found ||= someSubschema(sub, test);
  });
  return found;
}
