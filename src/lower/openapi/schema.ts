/**
 * OpenAPI schema objects (3.0 dialect or 3.1) → JSON Schema 2020-12 that ajv compiles in strict
 * mode. Shared and recursive schemas stay `$ref`s, rewritten to `#/$defs/<name>` of the tool that
 * uses them, so cycles are data and never an infinite expansion.
 */
import { setOwn } from '../../schema/set-own.js';
import { SCHEMA_LISTS } from '../../schema/walk.js';
import { sharedJsonLength } from '../../passes/json-size.js';
import type { JsonSchema } from '../../runtime/definition.js';
import { SpecError, fromPointer, type Diagnostic } from '../../diagnostics.js';

export type Direction = 'input' | 'output';

export interface SchemaContext extends RefContext {
  resolved: Map<string, unknown>;
  dialect: '3.0' | '3.1';
  warnings: Diagnostic[];
  /** ref → def name; global so that one schema has one name in every tool. */
  defNames: Map<string, string>;
  usedDefNames: Set<string>;
  /** `${direction} ${ref}` → converted def and the refs it uses. */
  converted: Map<string, Converted>;
  /** Patterns already reported, so one bad regex in a shared schema warns once. */
  reportedPatterns: Set<string>;
  /** Whether a schema nested past MAX_NESTING was reported (once per document). */
  reportedNesting: boolean;
}

interface Converted {
  schema: JsonSchema;
  refs: Set<string>;
}

export function createSchemaContext(doc: unknown, dialect: '3.0' | '3.1', warnings: Diagnostic[]): SchemaContext {
  return { doc, resolved: new Map(), dialect, warnings, defNames: new Map(), usedDefNames: new Set(), converted: new Map(), reportedPatterns: new Set(), reportedNesting: false };
}

/** Formats ajv-formats validates; any other `format` makes ajv strict mode fail, so it is dropped. */
const KNOWN_FORMATS = new Set([
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template',
  'url', 'email', 'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment',
  'relative-json-pointer', 'byte', 'int32', 'int64', 'float', 'double', 'password', 'binary',
]);

const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

/** Annotation keywords copied as they are when their value has the right type. */
const STRING_KEYWORDS = ['title', 'description', '$comment', 'contentMediaType', 'contentEncoding'];
const NON_NEGATIVE_INT_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'];
const NUMBER_KEYWORDS = ['minimum', 'maximum'];
/** Single-subschema keywords converted here (items and additionalProperties have their own rules above). */
const SCHEMA_KEYWORDS = ['not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties'];
/**
 * Deepest subschema converted, in segments of its JSON pointer into the document (a nested `items`
 * adds one, a property two). No API needs a hundred; a spec nested hundreds deep exhausts the
 * stack of ajv and the meta-schema validators (~450 levels), thousands deep that of this walk.
 */
const MAX_NESTING = 100;
/** Longest example kept: examples help a model but cost tokens. */
const MAX_EXAMPLE_CHARS = 200;

/** What a `$ref` lookup needs: the document, and a cache that lives as long as one lowering. */
export interface RefContext {
  doc: unknown;
  /** ref → target; the same few thousand refs are looked up hundreds of thousands of times on a large API. */
  resolved?: Map<string, unknown>;
}

/** Looks up a local `$ref`; undefined when it does not resolve. */
export function resolveRef(ctx: RefContext, ref: string): unknown {
  const cache = ctx.resolved;
  if (!cache) return lookUp(ctx.doc, ref);
  if (cache.has(ref)) return cache.get(ref);
  const node = lookUp(ctx.doc, ref);
  cache.set(ref, node);
  return node;
}

function lookUp(doc: unknown, ref: string): unknown {
  const keys = fromPointer(ref);
  if (!keys) return undefined;
  let node: unknown = doc;
  for (const k of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

/** Follows `$ref` chains from `node` (bounded), returning the first non-ref target. */
export function deref<T>(ctx: RefContext, node: T, at: readonly (string | number)[]): T {
  let current: unknown = node;
  for (let hops = 0; hops < 32; hops++) {
    if (!current || typeof current !== 'object' || !('$ref' in current)) return current as T;
    const ref = (current as { $ref: unknown }).$ref;
    if (typeof ref !== 'string') return current as T;
    const target = resolveRef(ctx, ref);
    if (target === undefined) throw unresolved(ref, at);
    current = target;
  }
  throw new SpecError({ message: 'circular $ref chain', pointer: at });
}

function unresolved(ref: string, at: readonly (string | number)[]): SpecError {
  return new SpecError({
    message: `unresolvable $ref ${JSON.stringify(ref)}`,
    pointer: [...at, '$ref'],
    fix: 'point it at an existing component, e.g. #/components/schemas/Name',
  });
}

function defName(ctx: SchemaContext, ref: string): string {
  const known = ctx.defNames.get(ref);
  if (known) return known;
  const keys = fromPointer(ref) ?? [ref];
  const isComponent = keys.length === 3 && keys[0] === 'components' && keys[1] === 'schemas';
  const raw = isComponent ? keys[2]! : keys.slice(-2).join('_');
  const base = raw.replace(/[^A-Za-z0-9_.-]/g, '_') || 'schema';
  let name = base;
  for (let i = 2; ctx.usedDefNames.has(name); i++) name = `${base}_${i}`;
  ctx.defNames.set(ref, name);
  ctx.usedDefNames.add(name);
  return name;
}

/** Whether a property schema (possibly a `$ref`) is marked readOnly / writeOnly. */
function hasFlag(ctx: SchemaContext, schema: unknown, flag: 'readOnly' | 'writeOnly'): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as Record<string, unknown>;
  if (s[flag] === true) return true;
  if (typeof s.$ref === 'string') {
    const target = resolveRef(ctx, s.$ref);
    return !!target && typeof target === 'object' && (target as Record<string, unknown>)[flag] === true;
  }
  return false;
}

/**
 * Converts one schema. `refs` collects every local ref it uses (as written in the spec), so the
 * caller can attach their closure as `$defs`.
 */
export function convertSchema(
  ctx: SchemaContext,
  schema: unknown,
  direction: Direction,
  at: readonly (string | number)[],
  refs: Set<string>,
): JsonSchema {
  if (schema === true || schema === undefined) return {};
  if (schema === false) return { not: {} };
  if (at.length > MAX_NESTING) return tooDeep(ctx, at);
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const s = schema as Record<string, unknown>;
  const out: JsonSchema = {};

  if (typeof s.$ref === 'string') {
    const ref = s.$ref;
    if (resolveRef(ctx, ref) === undefined) throw unresolved(ref, at);
    refs.add(ref);
    out.$ref = `#/$defs/${defName(ctx, ref)}`;
    // OpenAPI 3.0 ignores siblings of $ref; 3.1 (JSON Schema 2020-12) applies them.
    if (ctx.dialect === '3.0') return out;
  }

  convertKeywords(ctx, s, out, at);
  convertSubschemas(ctx, s, out, direction, at, refs);
  // A 3.0 `nullable: true` without a type means "anything, including null": nothing to add.
  return out;
}

/** The keywords that hold values, not schemas: type (with 3.0's `nullable` folded in), bounds, formats, patterns, enum, examples. */
function convertKeywords(ctx: SchemaContext, s: Record<string, unknown>, out: JsonSchema, at: readonly (string | number)[]): void {
  // type, with 3.0's `nullable` folded in
  let types: string[] | undefined;
  if (typeof s.type === 'string') types = [s.type];
  else if (Array.isArray(s.type)) types = s.type.filter((t): t is string => typeof t === 'string');
  if (types) {
    types = [...new Set(types.filter((t) => JSON_TYPES.has(t)))];
    if (s.nullable === true && types.length && !types.includes('null')) types.push('null');
    if (types.length === 1) out.type = types[0];
    else if (types.length > 1) out.type = types;
  }

  for (const k of STRING_KEYWORDS) if (typeof s[k] === 'string') out[k] = s[k];
  for (const k of NON_NEGATIVE_INT_KEYWORDS) {
    const v = s[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) out[k] = v;
  }
  for (const k of NUMBER_KEYWORDS) if (typeof s[k] === 'number' && Number.isFinite(s[k])) out[k] = s[k];
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) out.multipleOf = s.multipleOf;
  if (typeof s.uniqueItems === 'boolean') out.uniqueItems = s.uniqueItems;
  if (typeof s.deprecated === 'boolean' && s.deprecated) out.deprecated = true;
  if (typeof s.readOnly === 'boolean' && s.readOnly) out.readOnly = true;
  if (typeof s.writeOnly === 'boolean' && s.writeOnly) out.writeOnly = true;
  if ('default' in s && s.default !== undefined) out.default = s.default;
  if ('const' in s && s.const !== undefined) out.const = s.const;

  // 3.0 boolean exclusive bounds → 2020-12 numeric ones
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    const v = s[ex];
    if (typeof v === 'number' && Number.isFinite(v)) out[ex] = v;
    else if (v === true && typeof out[bound] === 'number') {
      out[ex] = out[bound];
      delete out[bound];
    }
  }

  if (typeof s.format === 'string' && KNOWN_FORMATS.has(s.format)) out.format = s.format;

  if (typeof s.pattern === 'string') {
    if (isValidPattern(s.pattern)) out.pattern = s.pattern;
    else warnPattern(ctx, s.pattern, [...at, 'pattern']);
  }

  if (Array.isArray(s.enum)) {
    const seen = new Set<string>();
    const members = s.enum.filter((v) => {
      const key = JSON.stringify(v) ?? 'undefined';
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (s.nullable === true && !seen.has('null') && types?.includes('null')) members.push(null);
    if (members.length) out.enum = members;
  }

  const examples = Array.isArray(s.examples) ? s.examples : 'example' in s && s.example !== undefined ? [s.example] : [];
  const smallExamples = examples.filter((e) => (JSON.stringify(e) ?? '').length <= MAX_EXAMPLE_CHARS);
  if (smallExamples.length) out.examples = smallExamples.slice(0, 3);

}

/** The keywords that hold schemas: properties (minus readOnly in requests, writeOnly in responses), items, combinators. */
function convertSubschemas(
  ctx: SchemaContext,
  s: Record<string, unknown>,
  out: JsonSchema,
  direction: Direction,
  at: readonly (string | number)[],
  refs: Set<string>,
): void {
  if (s.properties && typeof s.properties === 'object' && !Array.isArray(s.properties)) {
    const skip = direction === 'input' ? 'readOnly' : 'writeOnly';
    const props: Record<string, JsonSchema> = {};
    for (const [name, prop] of Object.entries(s.properties as Record<string, unknown>)) {
      if (hasFlag(ctx, prop, skip)) continue;
      setOwn(props, name, convertSchema(ctx, prop, direction, [...at, 'properties', name], refs));
    }
    out.properties = props;
  }
  if (Array.isArray(s.required)) {
    const props = out.properties as Record<string, unknown> | undefined;
    const required = [...new Set(s.required.filter((r): r is string => typeof r === 'string'))].filter(
      // A required property that was dropped for this direction (readOnly in a request) is not required here.
      (r) => !props || Object.hasOwn(props, r) || !(s.properties && Object.hasOwn(s.properties as object, r)),
    );
    if (required.length) out.required = required;
  }
  if (s.patternProperties && typeof s.patternProperties === 'object') {
    const pp: Record<string, JsonSchema> = {};
    for (const [re, sub] of Object.entries(s.patternProperties as Record<string, unknown>)) {
      if (isValidPattern(re)) setOwn(pp, re, convertSchema(ctx, sub, direction, [...at, 'patternProperties', re], refs));
      else warnPattern(ctx, re, [...at, 'patternProperties', re]);
    }
    if (Object.keys(pp).length) out.patternProperties = pp;
  }
  if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    out.additionalProperties = convertSchema(ctx, s.additionalProperties, direction, [...at, 'additionalProperties'], refs);
  }

  if (Array.isArray(s.items)) {
    // Tuple form (draft 4–2019) → prefixItems.
    out.prefixItems = s.items.map((it, i) => convertSchema(ctx, it, direction, [...at, 'items', i], refs));
  } else if (s.items !== undefined) {
    out.items = convertSchema(ctx, s.items, direction, [...at, 'items'], refs);
  }
  const isArray = out.type === 'array' || (Array.isArray(out.type) && out.type.includes('array'));
  if (isArray && out.items === undefined && out.prefixItems === undefined) out.items = {};

  for (const k of SCHEMA_LISTS) {
    const v = s[k];
    if (Array.isArray(v) && v.length) out[k] = v.map((sub, i) => convertSchema(ctx, sub, direction, [...at, k, i], refs));
  }
  for (const k of SCHEMA_KEYWORDS) {
    if (s[k] !== undefined && typeof s[k] === 'object') out[k] = convertSchema(ctx, s[k], direction, [...at, k], refs);
  }
  if (s.dependentRequired && typeof s.dependentRequired === 'object') out.dependentRequired = s.dependentRequired;
}

function isValidPattern(p: string): boolean {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}

function tooDeep(ctx: SchemaContext, at: readonly (string | number)[]): JsonSchema {
  if (!ctx.reportedNesting) {
    ctx.reportedNesting = true;
    ctx.warnings.push({
      message: `schema nested too deeply (its JSON pointer passes ${MAX_NESTING} segments); what lies deeper is accepted as any value`,
      pointer: at,
      fix: 'flatten the schema, or give its repeated part a name under components/schemas and $ref it',
    });
  }
  return {};
}

function warnPattern(ctx: SchemaContext, pattern: string, at: readonly (string | number)[]) {
  if (ctx.reportedPatterns.has(pattern)) return;
  ctx.reportedPatterns.add(pattern);
  ctx.warnings.push({
    message: `pattern ${JSON.stringify(pattern.length > 80 ? pattern.slice(0, 80) + '…' : pattern)} is not a valid ECMAScript regular expression (u flag); dropped`,
    pointer: at,
  });
}

/** The converted form of the def behind `ref`, memoised per direction. */
function convertDef(ctx: SchemaContext, ref: string, direction: Direction): Converted {
  const key = `${direction} ${ref}`;
  const cached = ctx.converted.get(key);
  if (cached) return cached;
  const refs = new Set<string>();
  const entry: Converted = { schema: {}, refs };
  ctx.converted.set(key, entry); // placed before converting: recursion finds it and stops
  const target = resolveRef(ctx, ref);
  entry.schema = convertSchema(ctx, target, direction, fromPointer(ref) ?? [], refs);
  return entry;
}

/**
 * `$defs` for everything reachable from `refs`, keys sorted for stable output; null as soon as
 * their JSON passes `budget` characters (the caller drops the schema, so the rest is not walked).
 */
export function collectDefs(ctx: SchemaContext, refs: Set<string>, direction: Direction, budget = Infinity): Record<string, JsonSchema> | undefined | null {
  const seen = new Set<string>();
  const queue = [...refs];
  const defs: Record<string, JsonSchema> = {};
  let size = 0;
  while (queue.length) {
    const ref = queue.pop()!;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const { schema, refs: inner } = convertDef(ctx, ref, direction);
    if (budget !== Infinity) {
      size += sharedJsonLength(schema, budget - size);
      if (size > budget) return null;
    }
    setOwn(defs, defName(ctx, ref), schema);
    for (const r of inner) if (!seen.has(r)) queue.push(r);
  }
  const names = Object.keys(defs).sort();
  if (!names.length) return undefined;
  return Object.fromEntries(names.map((n) => [n, defs[n]!]));
}

/** Whether a (spec-side) schema always describes a JSON object, following refs and allOf. */
export function isObjectSchema(ctx: SchemaContext, schema: unknown, depth = 0): boolean {
  if (depth > 16 || !schema || typeof schema !== 'object') return false;
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') return isObjectSchema(ctx, resolveRef(ctx, s.$ref), depth + 1);
  if (s.nullable === true) return false;
  if (s.type === 'object') return true;
  if (Array.isArray(s.type)) return s.type.length === 1 && s.type[0] === 'object';
  if (s.type !== undefined) return false;
  if (Array.isArray(s.allOf) && s.allOf.length) return s.allOf.some((m) => isObjectSchema(ctx, m, depth + 1));
  for (const k of ['oneOf', 'anyOf'] as const) {
    const v = s[k];
    if (Array.isArray(v) && v.length) return v.every((m) => isObjectSchema(ctx, m, depth + 1));
  }
  return s.properties !== undefined;
}
