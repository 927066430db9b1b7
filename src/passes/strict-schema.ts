/**
 * Input schemas in the shape OpenAI's strict mode accepts, where the same arguments stay valid:
 * strict conversion (the Agents SDK's `convertSchemasToStrict`, OpenAI's `strict: true`) refuses
 * `allOf`, `oneOf`, `anyOf` beside other keywords, and objects it cannot close. Each rewrite here
 * keeps the set of accepted values, and is skipped where it could not:
 * - `allOf` is merged into its parent by json-schema-merge-allof (it refuses incompatible parts);
 * - `oneOf` becomes `anyOf` when no value can match two branches (distinct types, or distinct
 *   constants of one required property), since then "exactly one" and "at least one" agree;
 * - keywords beside `anyOf` move into every branch (A ∧ (B ∨ C) = (A ∧ B) ∨ (A ∧ C));
 * - a `$ref` with keywords beside it (or inside `allOf`) becomes a merged copy of its definition;
 * - a schema with `properties` (or `items`) but no `type` gets `type: object` (or `array`): the
 *   one rewrite that narrows, see `typed`.
 * What still cannot be strict (a free-form map) is named per tool by `strictBlocker`.
 */
import mergeAllOfModule from 'json-schema-merge-allof';
import type { JsonSchema } from '../runtime/definition.js';
import { isStandIn } from './inline-refs.js';
import { forEachSubschema, mapSubschemas, someSubschema } from '../schema/walk.js';

type Schema = Record<string, unknown>;
const mergeAllOf = mergeAllOfModule as unknown as (schema: Schema, options?: Record<string, unknown>) => Schema;
const isObject = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Annotations that may sit beside `anyOf` in strict mode (the Agents SDK's list). */
const METADATA = new Set(['description', 'title', 'default', 'examples', 'example', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions', '$id', '$schema', '$anchor']);

export function strictFriendly(schema: JsonSchema): JsonSchema {
  // Most schemas need none of this: those are returned as they are, not copied.
  if (!someSubschema(schema, needsWork)) return schema;
  const defs = isObject(schema.$defs) ? schema.$defs : {};
  const rewrite = (node: unknown): unknown => rewritten(node, defs, rewrite);
  return rewrite(schema) as JsonSchema;
}

const besideRef = (node: Schema) => typeof node.$ref === 'string' && Object.keys(node).some((key) => key !== '$ref' && !METADATA.has(key));

function needsWork(node: Schema): boolean {
  if (Array.isArray(node.allOf) || Array.isArray(node.oneOf) || besideRef(node)) return true;
  if (Array.isArray(node.anyOf)) return Object.keys(node).some((key) => key !== 'anyOf' && !METADATA.has(key));
  return typed(node) !== node;
}

/** The definition a local `$ref` names (`--client openai` keeps `$defs`), as a copy. */
function target(ref: unknown, defs: Schema): Schema | undefined {
  const name = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1] : undefined;
  const found = name === undefined ? undefined : defs[decodeURIComponent(name).replace(/~1/g, '/').replace(/~0/g, '~')];
  return isObject(found) ? { ...found } : undefined;
}

/**
 * Strict mode takes `$ref` only alone: a `$ref` with constraints beside it, or among `allOf`
 * parts, is replaced by a merged copy of its definition (the definition stays for other uses).
 */
function refsResolved(node: Schema, defs: Schema, rewrite: (sub: unknown) => unknown): Schema {
  // A copy of a definition is rewritten like any other subschema (its own `$ref`s stay refs).
  const copy = (ref: unknown) => {
    const definition = target(ref, defs);
    return definition ? (rewrite(definition) as Schema) : undefined;
  };
  if (besideRef(node)) {
    const definition = copy(node.$ref);
    if (!definition) return node;
    const { $ref: _ref, ...siblings } = node;
    const merged = mergedAllOf({ allOf: [definition, siblings] });
    return Array.isArray(merged.allOf) ? node : merged;
  }
  if (Array.isArray(node.allOf) && (node.allOf as unknown[]).length + Object.keys(node).length > 2) {
    const parts = (node.allOf as unknown[]).map((part) => (isObject(part) && typeof part.$ref === 'string' ? (copy(part.$ref) ?? part) : part));
    return { ...node, allOf: parts };
  }
  return node;
}

/** Bottom-up: children first, so a merge sees branches already rewritten. */
function rewritten(node: unknown, defs: Schema, rewrite: (sub: unknown) => unknown): unknown {
  if (!isObject(node)) return node;
  let out = refsResolved(mapSubschemas(node, rewrite), defs, rewrite);
  if (Array.isArray(out.allOf)) out = mergedAllOf(out);
  if (Array.isArray(out.oneOf) && !Array.isArray(out.anyOf) && exclusive(out.oneOf as unknown[])) {
    const { oneOf, ...rest } = out;
    out = { ...rest, anyOf: oneOf };
  }
  if (Array.isArray(out.anyOf)) out = foldedAnyOf(out);
  return typed(out);
}

function mergedAllOf(node: Schema): Schema {
  try {
    // Keywords the library has no rule for are kept when every part agrees, else refused.
    const merged = mergeAllOf(node, {
      ignoreAdditionalProperties: false,
      resolvers: {
        defaultResolver: (values: unknown[]) => {
          const first = JSON.stringify(values[0]);
          if (values.every((v) => JSON.stringify(v) === first)) return values[0];
          throw new Error('parts disagree');
        },
      },
    });
    return Array.isArray(merged.allOf) ? node : merged;
  } catch {
    return node;
  }
}

/** Types a branch admits, when it says (`integer` is a `number`). */
function typesOf(branch: Schema): Set<string> | undefined {
  const type = branch.type;
  const list = typeof type === 'string' ? [type] : Array.isArray(type) ? (type as string[]) : undefined;
  if (!list) return undefined;
  return new Set(list.flatMap((t) => (t === 'integer' ? ['integer', 'number'] : t === 'number' ? ['number', 'integer'] : [t])));
}

/** Values a branch allows for a required property, when it pins them with const or enum. */
function pinned(branch: Schema, name: string): string[] | undefined {
  if (!Array.isArray(branch.required) || !(branch.required as string[]).includes(name)) return undefined;
  const property = (branch.properties as Schema | undefined)?.[name];
  if (!isObject(property)) return undefined;
  if (Object.hasOwn(property, 'const')) return [JSON.stringify(property.const)];
  return Array.isArray(property.enum) ? property.enum.map((v) => JSON.stringify(v)) : undefined;
}

/** No value matches two branches: their types are disjoint, or a required property's constants are. */
function exclusive(branches: unknown[]): boolean {
  if (!branches.every(isObject)) return false;
  const list = branches as Schema[];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [a, b] = [list[i]!, list[j]!];
      const ta = typesOf(a);
      const tb = typesOf(b);
      if (ta && tb && ![...ta].some((t) => tb.has(t))) continue;
      const names = Object.keys((a.properties as Schema | undefined) ?? {});
      const apart = names.some((name) => {
        const va = pinned(a, name);
        const vb = pinned(b, name);
        return va !== undefined && vb !== undefined && !va.some((v) => vb.includes(v));
      });
      if (!apart) return false;
    }
  }
  return true;
}

/** Constraints beside `anyOf` moved into each branch; annotations stay. */
function foldedAnyOf(node: Schema): Schema {
  const siblings = Object.keys(node).filter((key) => key !== 'anyOf' && !METADATA.has(key));
  if (siblings.length === 0) return node;
  const branches = node.anyOf as unknown[];
  if (!branches.every(isObject)) return node;
  const folded: Schema[] = [];
  for (const branch of branches as Schema[]) {
    const conjunction = mergedAllOf({ allOf: [Object.fromEntries(siblings.map((key) => [key, node[key]])), branch] });
    if (Array.isArray(conjunction.allOf)) return node;
    folded.push(conjunction);
  }
  const kept: Schema = Object.fromEntries(Object.entries(node).filter(([key]) => METADATA.has(key)));
  return { ...kept, anyOf: folded };
}

/**
 * `type` stated where a schema describes one kind of value without saying so: object keywords
 * make it an object, `items` an array. (JSON Schema would let other types through such a schema;
 * no spec that describes properties means "or a number", and strict mode needs the type.)
 */
function typed(node: Schema): Schema {
  if (node.type !== undefined || Array.isArray(node.anyOf) || Array.isArray(node.oneOf) || Array.isArray(node.allOf) || node.$ref !== undefined) return node;
  if (Object.hasOwn(node, 'const') || Array.isArray(node.enum)) return node;
  if (isObject(node.properties) || Array.isArray(node.required) || node.additionalProperties !== undefined) return { type: 'object', ...node };
  if (node.items !== undefined) return { type: 'array', ...node };
  return node;
}

/** Keywords strict mode refuses wherever they stand. */
const REFUSED = ['allOf', 'oneOf', 'not', 'if', 'patternProperties', 'prefixItems', 'propertyNames', 'contains', 'dependentSchemas', 'dependentRequired', 'dependencies', 'unevaluatedProperties', 'unevaluatedItems'];

/**
 * Why strict mode would refuse an input schema (the first reason, with where), or undefined: the
 * Agents SDK's rules for what cannot be closed without changing the accepted values.
 */
export function strictBlocker(schema: JsonSchema): string | undefined {
  let reason: string | undefined;
  forEachSubschema(schema, (node, at) => {
    if (reason) return false;
    const where = at.length ? `/${at.join('/')}` : 'the root';
    const refused = REFUSED.find((key) => node[key] !== undefined);
    if (refused) reason = `\`${refused}\` at ${where}`;
    else if (Array.isArray(node.anyOf) && Object.keys(node).some((key) => key !== 'anyOf' && !METADATA.has(key))) reason = `\`anyOf\` beside other keywords at ${where}`;
    else if ((node.type === 'object' || (node.type === undefined && node.properties !== undefined)) && node.additionalProperties !== false) {
      const declared = isObject(node.properties) && Object.keys(node.properties).length > 0;
      if (isStandIn(node)) reason = `where $ref inlining stopped, at ${where}: --client openai keeps $defs instead`;
      else if (!declared || node.additionalProperties !== undefined) reason = `a free-form object (no declared properties, or additional ones allowed) at ${where}`;
    }
    return reason === undefined;
  });
  return reason;
}
