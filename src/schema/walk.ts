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
  // Indexed loops over Object.keys: the walk runs mostly cold, where for…of and Object.entries
  // allocate an iterator result or a pair per key (~6 % of what a GitHub generation allocates).
  const keys = Object.keys(obj);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const value = obj[key];
    if (keyword?.(key, value, out)) continue;
    if (DATA_KEYWORDS.has(key)) {
      setOwn(out, key, value);
    } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      const map: Schema = {};
      const names = Object.keys(value);
      for (let n = 0; n < names.length; n++) setOwn(map, names[n]!, fn(value[names[n]!]));
      setOwn<unknown>(out, key, map);
    } else {
      setOwn(out, key, Array.isArray(value) ? value.map(fn) : fn(value));
    }
  }
  return out;
}

export type Pointer = ReadonlyArray<string | number>;

const MAP_KEYS: readonly string[] = [...SCHEMA_MAPS];
/** Keywords whose value may be a list of subschemas (`items`: a draft-07 tuple). */
const LIST_KEYS: readonly string[] = [...SCHEMA_LISTS, 'items'];
const VALUE_KEYS: readonly string[] = SCHEMA_VALUES;
const CHILD_KEYS: ReadonlySet<string> = new Set([...MAP_KEYS, ...LIST_KEYS, ...VALUE_KEYS]);

/** The subschemas directly below `schema`, each with the keyword and (under maps and lists) the name or index. */
export function eachChild(schema: Schema, fn: (sub: unknown, key: string, name?: string | number) => void): void {
  // Most nodes are leaves with a few keys: looking at those is cheaper than at the 23 keywords.
  let parent = false;
  for (const key in schema) {
    if (CHILD_KEYS.has(key)) {
      parent = true;
      break;
    }
  }
  if (!parent) return;
  for (let k = 0; k < MAP_KEYS.length; k++) {
    const key = MAP_KEYS[k]!;
    const map = schema[key];
    if (!isObject(map)) continue;
    const names = Object.keys(map);
    for (let n = 0; n < names.length; n++) fn(map[names[n]!], key, names[n]);
  }
  for (let k = 0; k < LIST_KEYS.length; k++) {
    const key = LIST_KEYS[k]!;
    const list = schema[key];
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) fn(list[i], key, i);
  }
  for (let k = 0; k < VALUE_KEYS.length; k++) {
    const key = VALUE_KEYS[k]!;
    if (isObject(schema[key])) fn(schema[key], key);
  }
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
