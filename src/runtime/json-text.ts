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
  /** Schema places (pointers) with a text at or below them: the walk goes only there. */
  towardText: Set<string>;
}

const towardTextOf = new WeakMap<readonly JsonTextArgument[], Set<string>>();

/**
 * `args` with every listed text replaced by `fn`'s answer: objects on the way to a text are
 * copied, the rest is shared with `args` (nothing is changed in place); `args` itself when the
 * tool lists none.
 */
export function mapJsonText(tool: ToolDefinition, args: Record<string, unknown>, fn: TextReplacer): Record<string, unknown> {
  const sites = tool.jsonTextArguments;
  if (!sites?.length) return args;
  let towardText = towardTextOf.get(sites);
  if (!towardText) towardTextOf.set(sites, (towardText = placesTowardText(tool.inputSchema, sites)));
  const walk: Walk = { sites: new Map(sites.map((s) => [s.pointer, s])), defs: tool.inputSchema.$defs, fn, limit: Object.keys(tool.inputSchema.$defs ?? {}).length, towardText };
  return replaced(args, tool.inputSchema, '', '', walk, 0) as Record<string, unknown>;
}

/** A local `$ref`'s place (`/$defs/<name>`) and definition, when it has one. */
function refTarget(ref: unknown, defs: unknown): [string, Schema] | undefined {
  const name = definitionName(ref);
  const target = localDefinition(ref, defs);
  return name !== undefined && target ? [`/$defs${pointerStep(name)}`, target] : undefined;
}

/** The schema's children as the walk below steps into them: a `$ref`'s target, else items and properties. */
function children(node: Schema, pointer: string, defs: unknown): Array<[string, Schema]> {
  if (node.$ref !== undefined) {
    const target = refTarget(node.$ref, defs);
    return target ? [target] : [];
  }
  const out: Array<[string, Schema]> = [];
  if (isPlainObject(node.items)) out.push([`${pointer}/items`, node.items]);
  const properties = node.properties;
  if (isPlainObject(properties)) {
    for (const key of Object.keys(properties)) {
      const sub = properties[key];
      if (isPlainObject(sub)) out.push([`${pointer}/properties${pointerStep(key)}`, sub]);
    }
  }
  return out;
}

/** Every place reachable from the root with a listed text at or below it (references may cycle). */
function placesTowardText(root: Schema, sites: readonly JsonTextArgument[]): Set<string> {
  const parents = new Map<string, string[]>();
  const seen = new Set<string>(['']);
  const stack: Array<[string, Schema]> = [['', root]];
  while (stack.length > 0) {
    const [pointer, node] = stack.pop()!;
    for (const [child, sub] of children(node, pointer, root.$defs)) {
      const list = parents.get(child);
      if (list) list.push(pointer);
      else parents.set(child, [pointer]);
      if (!seen.has(child)) {
        seen.add(child);
        stack.push([child, sub]);
      }
    }
  }
  const toward = new Set<string>();
  const queue = sites.map((s) => s.pointer).filter((p) => seen.has(p));
  while (queue.length > 0) {
    const pointer = queue.pop()!;
    if (toward.has(pointer)) continue;
    toward.add(pointer);
    queue.push(...(parents.get(pointer) ?? []));
  }
  return toward;
}

function replaced(value: unknown, node: Schema, pointer: string, where: string, walk: Walk, hops: number): unknown {
  const site = walk.sites.get(pointer);
  if (site) return walk.fn(value, site, where);
  if (!walk.towardText.has(pointer)) return value;
  if (node.$ref !== undefined) {
    const target = refTarget(node.$ref, walk.defs);
    return target && hops < walk.limit ? replaced(value, target[1], target[0], where, walk, hops + 1) : value;
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
    const next = replaced(value[key], sub, `${pointer}/properties${step}`, `${where}${step}`, walk, 0);
    // An own key even when it is `__proto__` (plain assignment would set the prototype).
    if (key === '__proto__') Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true });
    else copy[key] = next;
  }
  return copy;
}

