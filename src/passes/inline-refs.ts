/**
 * `$ref` → the schema it points at, for clients that do not resolve `$ref`/`$defs` (Gemini, some
 * IDE clients). Recursion and depth are cut at a described stand-in of the right type, never `{}`,
 * and a size budget lowers the depth until the schema fits, so one recursive type cannot turn a
 * tool into megabytes. Pure: the input is not changed.
 */
import type { JsonSchema } from '../runtime/definition.js';
import { fitsJson, sharedJsonLength } from './json-size.js';
import { mapSubschemas } from '../schema/walk.js';

export interface InlineOptions {
  /** Most `$ref`s expanded inside one another along any path. */
  maxDepth: number;
  /** Largest inlined schema, in characters of JSON; the depth is lowered until it fits. */
  maxBytes: number;
}

export interface Inlined {
  schema: JsonSchema;
  /** The depth that fitted the budget (lower than asked when the budget cut it). */
  depth: number;
  /** Definitions replaced by a stand-in somewhere (recursion or depth). */
  cut: string[];
}

const PREFIX = /^#\/(?:\$defs|definitions)\//;

/** Keywords that may sit beside a `$ref` without changing what it validates. */
/** Keywords that only annotate: beside a `$ref` they describe it, not the value. */
export const ANNOTATIONS: ReadonlySet<string> = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

/** Schemas here only reference their own `$defs` (or a tool spec's `definitions`). */
export function hasRefs(schema: JsonSchema): boolean {
  return schema.$defs !== undefined || schema.definitions !== undefined;
}

export function inlineRefs(schema: JsonSchema, options: InlineOptions): Inlined {
  const defs = { ...(schema.definitions as object), ...(schema.$defs as object) } as Record<string, JsonSchema>;
  const { $defs: _defs, definitions: _definitions, ...root } = schema;
  for (let depth = options.maxDepth; ; depth--) {
    const cut = new Set<string>();
    // An expansion that passes the budget is abandoned at once rather than finished and measured.
    const budget = { left: depth > 0 ? options.maxBytes : Infinity };
    try {
      const out = expand(root, defs, depth, [], cut, budget) as JsonSchema;
      if (depth <= 0 || fitsJson(out, options.maxBytes)) return { schema: out, depth, cut: [...cut].sort() };
    } catch (err) {
      if (err !== OVER_BUDGET) throw err;
    }
  }
}

const OVER_BUDGET = Symbol('over budget');

function expand(node: unknown, defs: Record<string, JsonSchema>, depth: number, stack: string[], cut: Set<string>, budget: { left: number }): unknown {
  if (Array.isArray(node)) return node.map((n) => expand(n, defs, depth, stack, cut, budget));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.$ref === 'string' && PREFIX.test(obj.$ref)) {
    const name = decodeURIComponent(obj.$ref.replace(PREFIX, '')).replace(/~1/g, '/').replace(/~0/g, '~');
    const target = Object.hasOwn(defs, name) ? defs[name] : undefined;
    const { $ref: _ref, ...siblings } = obj;
    const rest = expand(siblings, defs, depth, stack, cut, budget) as Record<string, unknown>;
    if (!target) return { ...rest, description: describe(rest, `(${name}: definition missing)`) };
    if (stack.includes(name) || stack.length >= depth) {
      cut.add(name);
      return { ...standIn(target, name, stack.includes(name)), ...rest };
    }
    budget.left -= sharedJsonLength(target, budget.left + 1);
    if (budget.left < 0) throw OVER_BUDGET;
    const expanded = expand(target, defs, depth, [...stack, name], cut, budget) as Record<string, unknown>;
    // Only annotations beside the $ref: they override the target's (2020-12 semantics allow both).
    if (Object.keys(rest).every((k) => ANNOTATIONS.has(k))) return { ...expanded, ...rest };
    return { ...rest, allOf: [expanded, ...((rest.allOf as unknown[]) ?? [])] };
  }
  return mapSubschemas(obj, (sub) => expand(sub, defs, depth, stack, cut, budget));
}

/** Why a stand-in stands where expansion stopped: the note that ends its description. */
const RECURSIVE = 'recursive, not expanded further';
const TOO_DEEP = 'nested too deep to expand here';

const STAND_IN_NOTE = new RegExp(`\\((?:[^()]*: )?(?:${RECURSIVE}|${TOO_DEEP})\\)$`);

/** Whether a schema is a stand-in this module left where inlining stopped. */
export function isStandIn(node: Record<string, unknown>): boolean {
  return typeof node.description === 'string' && STAND_IN_NOTE.test(node.description);
}

/** Where expansion stops: the target's type (so a client still knows the shape), and why. */
function standIn(target: JsonSchema, name: string, recursive: boolean): JsonSchema {
  const type = typeof target.type === 'string' ? target.type : Array.isArray(target.type) ? target.type : 'object';
  const why = recursive ? RECURSIVE : TOO_DEEP;
  const text = typeof target.description === 'string' ? `${target.description} (${name}: ${why})` : `${name} (${why})`;
  return { type, description: text };
}

function describe(rest: Record<string, unknown>, note: string): string {
  return typeof rest.description === 'string' ? `${rest.description} ${note}` : note;
}
