/**
 * Input schemas in the shape OpenAI's strict mode accepts, where the same arguments stay valid:
 * strict conversion (the Agents SDK's `convertSchemasToStrict`, OpenAI's `strict: true`) refuses
 * `allOf`, `oneOf`, `anyOf` beside other keywords, and objects it cannot close. Each rewrite here
 * keeps the set of accepted values, and is skipped where it could not:
 * - `allOf` is merged into its parent by json-schema-merge-allof, only where its draft-07 rules
 *   are right (no 2020-12 applicators, no combinators inside the parts, `$ref`s that agree);
 * - `oneOf` becomes `anyOf` when no value can match two branches (distinct types, or distinct
 *   constants of one required property of objects), since then "exactly one" and "at least one"
 *   agree;
 * - keywords beside `anyOf` move into every branch (A ∧ (B ∨ C) = (A ∧ B) ∨ (A ∧ C));
 * - `{ allOf: [{ $ref }] }` with annotations becomes `{ $ref }` with them; a `$ref` with
 *   constraints beside it becomes a merged copy of its definition, one level deep;
 * - a schema with `properties` (or `items`) but no `type` gets `type: object` (or `array`): the
 *   one rewrite that narrows, so never below `oneOf`, `not` or `if`, where narrowing a branch
 *   would widen the whole.
 * What still cannot be strict (a free-form map) is named per tool by `strictBlocker`.
 */
import { isDeepStrictEqual } from 'node:util';
import mergeAllOf from 'json-schema-merge-allof';
import type { JsonSchema } from '../runtime/definition.js';
import { isStandIn } from './inline-refs.js';
import { localDefinition } from '../runtime/local-ref.js';
import { setOwn } from '../schema/set-own.js';
import { forEachSubschema, isObject, mapSubschemas, someSubschema } from '../schema/walk.js';

type Schema = Record<string, unknown>;

/** Annotations that may sit beside `anyOf` or `$ref` in strict mode (the Agents SDK's list). */
const METADATA = new Set(['description', 'title', 'default', 'examples', '$comment', 'deprecated', 'readOnly', 'writeOnly', '$defs', 'definitions', '$id', '$schema', '$anchor']);

/** Keywords json-schema-merge-allof merges by draft-07 rules that are wrong for them, or drops. */
const UNMERGEABLE = ['prefixItems', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'minContains', 'maxContains', 'if', 'then', 'else', 'patternProperties', 'dependencies', 'dependentSchemas', 'dependentRequired', 'definitions', '$defs', 'not'];

/** Below these, a branch's narrowing would widen the schema as a whole. */
const NO_TYPING = new Set(['oneOf', 'not', 'if', 'then', 'else']);

export function strictFriendly(schema: JsonSchema): JsonSchema {
  // Most schemas need none of this: those are returned as they are, not copied.
  if (!someSubschema(schema, needsWork)) return schema;
  const defs = isObject(schema.$defs) ? schema.$defs : {};
  return rewritten(schema, { defs, typing: true, resolveRefs: true }) as JsonSchema;
}

const besideRef = (node: Schema) => typeof node.$ref === 'string' && Object.keys(node).some((key) => key !== '$ref' && !METADATA.has(key));

function needsWork(node: Schema): boolean {
  if (Array.isArray(node.allOf) || Array.isArray(node.oneOf) || besideRef(node)) return true;
  if (Array.isArray(node.anyOf)) return Object.keys(node).some((key) => key !== 'anyOf' && !METADATA.has(key));
  return typed(node) !== node;
}

interface Context {
  defs: Schema;
  /** Whether `typed` may narrow here (not below oneOf, not, if/then/else). */
  typing: boolean;
  /** Whether a `$ref` may be replaced by a copy: only outside copies, so copies stay one level. */
  resolveRefs: boolean;
}

/** Bottom-up: children first, so a merge sees branches already rewritten. */
function rewritten(node: unknown, ctx: Context): unknown {
  if (!isObject(node)) return node;
  const below = (sub: unknown, typing = ctx.typing) => rewritten(sub, { ...ctx, typing });
  let out = mapSubschemas(node, (sub) => below(sub), (key, value, into) => {
    if (!NO_TYPING.has(key)) return false;
    setOwn(into, key, Array.isArray(value) ? value.map((v) => below(v, false)) : below(value, false));
    return true;
  });
  out = refsResolved(out, ctx);
  // `allOf: [{ $ref: Base }, { …more }]` merges to a `$ref` with keywords beside it.
  if (Array.isArray(out.allOf)) out = refsResolved(mergedAllOf(out), ctx);
  if (Array.isArray(out.oneOf) && !Array.isArray(out.anyOf) && exclusive(node.oneOf as unknown[])) {
    const { oneOf, ...rest } = out;
    out = { ...rest, anyOf: oneOf };
  }
  if (Array.isArray(out.anyOf)) out = foldedAnyOf(out);
  return ctx.typing ? typed(out) : out;
}

/**
 * Strict mode takes `$ref` only with annotations beside it. `{ allOf: [{ $ref }], description }`
 * (how a described reference is written) is that already; a `$ref` with constraints beside it is
 * replaced by a merged copy of its definition. A copy keeps its own `$ref`s as refs, so
 * recursive definitions end after one level and nothing grows past the size of a definition.
 */
function refsResolved(node: Schema, ctx: Context): Schema {
  const parts = node.allOf;
  if (Array.isArray(parts) && parts.length === 1 && isObject(parts[0]) && Object.keys(parts[0]).every((key) => key === '$ref' || METADATA.has(key)) && Object.keys(node).every((key) => key === 'allOf' || METADATA.has(key))) {
    const { allOf: _allOf, ...annotations } = node;
    return { ...(parts[0] as Schema), ...annotations };
  }
  if (!ctx.resolveRefs || !besideRef(node)) return node;
  const definition = localDefinition(node.$ref, ctx.defs);
  if (!definition) return node;
  const copy = rewritten(definition, { ...ctx, resolveRefs: false }) as Schema;
  const { $ref: _ref, ...siblings } = node;
  const merged = mergedAllOf({ allOf: [copy, siblings] });
  return Array.isArray(merged.allOf) ? node : merged;
}

/** Whether json-schema-merge-allof's rules hold for this node's parts (see UNMERGEABLE). */
function mergeable(node: Schema): boolean {
  const parts = node.allOf as unknown[];
  if (!parts.every(isObject)) return false;
  // Combinators inside parts are multiplied out (and refused combinations dropped): keep them.
  if ((parts as Schema[]).some((part) => ['anyOf', 'oneOf', 'allOf'].some((key) => Array.isArray(part[key])))) return false;
  const { allOf: _allOf, ...own } = node;
  return ![own, ...(parts as Schema[])].some((part) =>
    someSubschema(part, (n) => UNMERGEABLE.some((key) => n[key] !== undefined) || (isObject(n.properties) && Object.hasOwn(n.properties, '__proto__'))),
  );
}

function mergedAllOf(node: Schema): Schema {
  if (!mergeable(node)) return node;
  try {
    // Keywords the library has no rule for, and `$ref` (its own rule keeps the first), are kept
    // when every part agrees, else the merge is refused.
    const same = (values: unknown[]) => {
      if (values.every((v) => isDeepStrictEqual(v, values[0]))) return values[0];
      throw new Error('parts disagree');
    };
    const merged = mergeAllOf(node, { ignoreAdditionalProperties: false, resolvers: { defaultResolver: same, $ref: same } });
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

/** Values an object branch allows for a required property, when it pins them with const or enum (compared deeply). */
function pinned(branch: Schema, name: string): unknown[] | undefined {
  if (!Array.isArray(branch.required) || !(branch.required as string[]).includes(name)) return undefined;
  const property = (branch.properties as Schema | undefined)?.[name];
  if (!isObject(property)) return undefined;
  if (Object.hasOwn(property, 'const')) return [property.const];
  return Array.isArray(property.enum) ? property.enum : undefined;
}

const objectsOnly = (branch: Schema) => branch.type === 'object' || (Array.isArray(branch.type) && branch.type.length === 1 && branch.type[0] === 'object');

/** No value matches two branches: their types are disjoint, or (objects only) a required property's constants are. */
function exclusive(branches: unknown[]): boolean {
  if (!branches.every(isObject)) return false;
  const list = branches as Schema[];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [a, b] = [list[i]!, list[j]!];
      const ta = typesOf(a);
      const tb = typesOf(b);
      if (ta && tb && ![...ta].some((t) => tb.has(t))) continue;
      if (!objectsOnly(a) || !objectsOnly(b)) return false;
      const names = Object.keys((a.properties as Schema | undefined) ?? {});
      const apart = names.some((name) => {
        const va = pinned(a, name);
        const vb = pinned(b, name);
        return va !== undefined && vb !== undefined && !va.some((v) => vb.some((w) => isDeepStrictEqual(v, w)));
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

/** Keywords strict mode refuses wherever they stand (the Agents SDK's list). */
const REFUSED = ['allOf', 'oneOf', 'not', 'if', 'then', 'else', 'patternProperties', 'prefixItems', 'propertyNames', 'contains', 'minContains', 'maxContains', 'dependentSchemas', 'dependentRequired', 'dependencies', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'contentSchema', '$dynamicRef', '$recursiveRef'];

/** An object schema strict mode cannot close: no property declared, or more allowed than declared. */
export function keysLeftOpen(node: Schema): boolean {
  if (node.additionalProperties === false) return false;
  const declared = isObject(node.properties) && Object.keys(node.properties).length > 0;
  return !declared || node.additionalProperties !== undefined;
}

const admitsObjects = (node: Schema) => node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || (node.type === undefined && node.properties !== undefined);

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
    else if (besideRef(node) || (typeof node.$ref === 'string' && node.example !== undefined)) reason = `\`$ref\` beside other keywords at ${where}`;
    else if (Array.isArray(node.anyOf) && Object.keys(node).some((key) => key !== 'anyOf' && !METADATA.has(key))) reason = `\`anyOf\` beside other keywords at ${where}`;
    else if (Array.isArray(node.anyOf) && (node.anyOf as unknown[]).some((b) => isObject(b) && isObject(b.properties) && Object.keys(b.properties).some((name) => !(Array.isArray(b.required) && b.required.includes(name))))) {
      reason = `an \`anyOf\` branch with optional properties at ${where}`;
    } else if (admitsObjects(node) && node.additionalProperties !== false && isStandIn(node)) {
      reason = `where $ref inlining stopped, at ${where}: --client openai keeps $defs instead`;
    } else if (admitsObjects(node) && keysLeftOpen(node)) {
      reason = `a free-form object (no declared properties, or additional ones allowed) at ${where}`;
    }
    return reason === undefined;
  });
  return reason;
}
