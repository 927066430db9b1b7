/**
 * Finding the arguments listed as JSON text (src/passes/json-text-arguments.ts) in a call's
 * arguments: the value is walked together with the listed input schema, through object
 * properties, array items and local `$ref`s (the only places the generator lists text), and
 * whatever value sits where a text is listed is handed to `fn`: the text, or what a client sent
 * instead of it (an object, null).
 */
import type { JsonTextArgument, ToolDefinition } from './definition.js';
import { definitionName, localDefinition, pointerStep } from './local-ref.js';
import { isPlainObject } from './values.js';

/** Replaces the value at a text's place: `where` is that place in the arguments, as a JSON Pointer (e.g. `/parts/0/attrs`). */
export type TextReplacer = (value: unknown, site: JsonTextArgument, where: string) => unknown;

type Schema = Record<string, unknown>;

interface Walk {
  sites: Map<string, JsonTextArgument>;
  defs: unknown;
  fn: TextReplacer;
  /** `$ref`s followed in a row without going deeper into the value: a cycle of bare references ends here. */
  limit: number;
}

/** A copy of `args` with every listed text replaced by `fn`'s answer; `args` itself when the tool lists none. */
export function mapJsonText(tool: ToolDefinition, args: Record<string, unknown>, fn: TextReplacer): Record<string, unknown> {
  const sites = tool.jsonTextArguments;
  if (!sites?.length) return args;
  const walk: Walk = { sites: new Map(sites.map((s) => [s.pointer, s])), defs: tool.inputSchema.$defs, fn, limit: Object.keys(tool.inputSchema.$defs ?? {}).length };
  return replaced(args, tool.inputSchema, '', '', walk, 0) as Record<string, unknown>;
}

function replaced(value: unknown, node: Schema, pointer: string, where: string, walk: Walk, hops: number): unknown {
  const site = walk.sites.get(pointer);
  if (site) return walk.fn(value, site, where);
  if (node.$ref !== undefined) {
    const name = definitionName(node.$ref);
    const target = localDefinition(node.$ref, walk.defs);
    return name !== undefined && target && hops < walk.limit ? replaced(value, target, `/$defs${pointerStep(name)}`, where, walk, hops + 1) : value;
  }
  if (Array.isArray(value)) {
    const items = node.items;
    return isPlainObject(items) ? value.map((item, i) => replaced(item, items, `${pointer}/items`, `${where}${pointerStep(i)}`, walk, 0)) : value;
  }
  const properties = node.properties;
  if (!isPlainObject(value) || !isPlainObject(properties)) return value;
  const copy = { ...value };
  for (const key of Object.keys(value)) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!isPlainObject(sub)) continue;
    const step = pointerStep(key);
    // An own key even when it is `__proto__` (plain assignment would set the prototype).
    Object.defineProperty(copy, key, { value: replaced(value[key], sub, `${pointer}/properties${step}`, `${where}${step}`, walk, 0), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

