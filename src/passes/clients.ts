/**
 * Client profiles: what each major MCP client (or the model API behind it) refuses in a
 * tools/list, as data, and the repairs that make a definition acceptable to it. One rule each,
 * pure functions; the table is documented in docs/clients.md with the evidence for every entry.
 * `portable`, the default, is the intersection: a server generated with it lists in all of them.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { JsonSchema, ServerDefinition, ToolDefinition } from '../runtime/definition.js';
import { hasRefs, inlineRefs } from './inline-refs.js';
import { mapSubschemas, someSubschema } from '../schema/walk.js';
import { fitName, shortHash, UNSAFE_PROPERTY_NAMES } from '../lower/naming.js';
import { pointerOf } from './verify.js';
import { setOwn } from '../schema/set-own.js';
import { strictBlocker, strictFriendly } from './strict-schema.js';
import { jsonTextArguments } from './json-text-arguments.js';
import type { Encoded } from './json-text-arguments.js';
import { localDefinition, unescapedStep } from '../runtime/local-ref.js';
import { renamedKeys } from '../runtime/upstream/response.js';
import type { ClientName } from '../choices.js';


export interface ClientProfile {
  /** Longest tool name the client accepts, its own prefix included. */
  nameLimit: number;
  /** What the client puts before a tool name, given the server's key in its configuration. */
  prefix: (server: string) => string;
  /** `inline`: the client (or its model API) does not resolve `$ref`/`$defs`. */
  refs: 'keep' | 'inline';
  /** `oneOf`/`anyOf`/`allOf` at the root of an input schema is refused (Anthropic API). */
  rootCombinators: boolean;
  /** Longest tool description accepted (OpenAI: 1,024 characters). */
  maxDescription?: number;
  /** Gemini: `const` is not in its schema subset, and names must start with a letter or `_`. */
  gemini: boolean;
  /** OpenAI strict mode: input schemas without `allOf`, `oneOf` or keywords beside `anyOf` where the shape allows. */
  strict: boolean;
}

const claudePrefix = (s: string) => `mcp__${s}__`;
const vscodePrefix = (s: string) => `mcp_${s}_`;

export const PROFILES: Record<ClientName, ClientProfile> = {
  // Claude Code names a tool mcp__<server>__<tool>; the Anthropic API takes ≤ 64 characters and
  // rejects a root oneOf/anyOf/allOf. $defs are resolved.
  claude: { nameLimit: 64, prefix: claudePrefix, refs: 'keep', rootCombinators: false, gemini: false, strict: false },
  // OpenAI function tools: name ≤ 64 as given, description ≤ 1,024, parameters must be an object.
  openai: { nameLimit: 64, prefix: () => '', refs: 'keep', rootCombinators: false, maxDescription: 1024, gemini: false, strict: true },
  // Gemini function declarations: an OpenAPI-3.0 subset without $ref/$defs or const.
  gemini: { nameLimit: 64, prefix: () => '', refs: 'inline', rootCombinators: false, gemini: true, strict: false },
  // Cursor filters out tools whose server + tool name exceeds 60 characters.
  cursor: { nameLimit: 60, prefix: (s) => s, refs: 'inline', rootCombinators: false, gemini: false, strict: false },
  // VS Code (Copilot) names a tool mcp_<server>_<tool> and may route it to Claude, GPT or Gemini.
  vscode: { nameLimit: 64, prefix: vscodePrefix, refs: 'inline', rootCombinators: false, maxDescription: 1024, gemini: true, strict: true },
  portable: {
    nameLimit: 64,
    // Claude Code's prefix is the longest: 64 - (7 + server) is also under Cursor's 60 - server.
    prefix: claudePrefix,
    refs: 'inline',
    rootCombinators: false,
    maxDescription: 1024,
    gemini: true,
    strict: true,
  },
};

/**
 * Shortest tool-name budget: below it names stop saying what they do. A server name so long that
 * its prefix leaves less is assumed to get a shorter key in the client configuration (warned).
 */
export const MIN_NAME_BUDGET = 32;

/** Deepest `$ref` expansion, and the largest inlined schema (the depth is lowered to fit). */
export const INLINE_DEPTH = 4;
export const INLINE_MAX_BYTES = 16 * 1024;

/** The tool-name budget for a server under a profile (its prefix subtracted), never below MIN_NAME_BUDGET. */
export function nameBudget(profile: ClientProfile, server: string, maxNameLength: number): number {
  return Math.min(maxNameLength, Math.max(MIN_NAME_BUDGET, profile.nameLimit - profile.prefix(server).length));
}

export type RepairRule = 'inline-refs' | 'root-combinator' | 'description' | 'name-start' | 'result-name' | 'json-text' | 'not-strict';

/** One change a profile made to one tool. */
export interface Repair extends Diagnostic {
  rule: RepairRule;
  tool: string;
}

export interface Applied {
  definition: ServerDefinition;
  repairs: Repair[];
}

/** Every repair the profile needs, tool by tool; warnings say what changed and where. */
export function applyClientProfile(definition: ServerDefinition, client: ClientName): Applied {
  const profile = PROFILES[client];
  const repairs: Repair[] = [];
  const tools = definition.tools.map((tool) => {
    const notes: Array<[RepairRule, string]> = [];
    let next = tool;
    if (profile.refs === 'inline') next = inlineTool(next, notes);
    next = safeResultNames(next, notes);
    if (!profile.rootCombinators) next = flattenRoot(next, notes);
    if (profile.strict) {
      next = { ...next, inputSchema: strictFriendly(next.inputSchema) };
      const blocker = strictBlocker(next.inputSchema);
      // Text in place of objects only where it makes the tool strict: otherwise it buys nothing.
      const asText = blocker && next.binding.kind === 'http' ? jsonTextArguments(next.inputSchema) : undefined;
      if (asText?.sites.length && !strictBlocker(asText.schema)) next = listedAsText(next, asText, notes);
      else if (blocker) notes.push(['not-strict', `input schema cannot be OpenAI-strict (${blocker}); clients in strict mode send it without that guarantee`]);
    }
    if (profile.gemini) next = { ...next, inputSchema: constToEnum(next.inputSchema), ...(next.outputSchema ? { outputSchema: constToEnum(next.outputSchema) } : {}) };
    if (profile.maxDescription !== undefined && next.description.length > profile.maxDescription) {
      next = { ...next, description: cutText(next.description, profile.maxDescription) };
      notes.push(['description', `description cut to ${profile.maxDescription} characters`]);
    }
    for (const [rule, note] of notes) repairs.push({ rule, tool: tool.name, message: `tool ${tool.name}: ${note} for --client ${client}`, pointer: pointerOf(tool) });
    return next;
  });
  const renamed = profile.gemini ? geminiNames(tools, repairs, client) : tools;
  const next: ServerDefinition = { ...definition, tools: renamed };
  if (definition.roles && renamed !== tools) {
    const newName = new Map(tools.map((t, i) => [t.name, renamed[i]!.name]));
    next.roles = Object.fromEntries(Object.entries(definition.roles).map(([role, names]) => [role, names.map((n) => newName.get(n) ?? n)]));
  }
  return { definition: next, repairs };
}

/** Free-form object arguments listed as JSON text, which the server parses (json-text-arguments.ts). */
function listedAsText(tool: ToolDefinition, { schema, sites }: Encoded, notes: Array<[RepairRule, string]>): ToolDefinition {
  const names = sites.map((site) => argumentName(site.pointer));
  notes.push(['json-text', `free-form object ${sites.length > 1 ? 'arguments' : 'argument'} ${names.map((n) => `"${n}"`).join(', ')} listed as JSON text, which the server parses (OpenAI strict mode cannot list open objects)`]);
  return { ...tool, inputSchema: schema, jsonTextArguments: sites };
}

/** `/properties/parts/items/properties/attrs` → `parts[].attrs`; `/$defs/Pet/properties/meta` → `Pet.meta`. */
function argumentName(pointer: string): string {
  const steps = pointer.replace(/^\/\$defs\/([^/]+)/, '$1').replace(/\/properties\/([^/]+)/g, '.$1').replace(/\/items/g, '[]');
  return unescapedStep(steps.replace(/^\./, ''));
}

/** Both schemas of a tool without `$ref`, within the size budget. */
function inlineTool(tool: ToolDefinition, notes: Array<[RepairRule, string]>): ToolDefinition {
  const out: ToolDefinition = { ...tool };
  for (const key of ['inputSchema', 'outputSchema'] as const) {
    const schema = tool[key];
    if (!schema || !hasRefs(schema)) continue;
    const inlined = inlineRefs(schema, { maxDepth: INLINE_DEPTH, maxBytes: INLINE_MAX_BYTES });
    out[key] = inlined.schema;
    if (inlined.cut.length > 0) {
      notes.push(['inline-refs', `${key === 'inputSchema' ? 'input' : 'output'} schema $refs inlined to depth ${inlined.depth}; ${inlined.cut.join(', ')} stopped there with a described stand-in`]);
    }
  }
  return out;
}

/**
 * Top-level result fields whose names break client validators (UNSAFE_PROPERTY_NAMES) are listed
 * as `response_<name>`, the way such arguments become `query_<name>`; the server renames them in
 * each answer of an OpenAPI operation (`resultKeys`; tool specs are refused such names). Only the
 * top level of structuredContent is a record a client validates by key; its fields are declared
 * at the root, in the root's combinator branches, or in the definition a root `$ref` names (a
 * copy of it is renamed: the definition may also describe nested values, which keep their names).
 */
function safeResultNames(tool: ToolDefinition, notes: Array<[RepairRule, string]>): ToolDefinition {
  const original = tool.outputSchema;
  if (!original || tool.wrapKey || tool.binding.kind !== 'http') return tool;
  const schema = rootRefCopied(original);
  const branches = (node: JsonSchema) => (['allOf', 'anyOf', 'oneOf'] as const).flatMap((k) => (Array.isArray(node[k]) ? (node[k] as JsonSchema[]) : []));
  const parts = [schema, ...branches(schema)];
  const declared = new Set(parts.flatMap((part) => Object.keys((part.properties ?? {}) as object)));
  const unsafe = [...declared].filter((name) => UNSAFE_PROPERTY_NAMES.has(name));
  if (unsafe.length === 0) return tool;
  const resultKeys: Record<string, string> = {};
  for (const name of unsafe) {
    let listed = `response_${name}`;
    for (let i = 2; declared.has(listed) || Object.values(resultKeys).includes(listed); i++) listed = `response_${name}_${i}`;
    setOwn(resultKeys, name, listed);
  }
  const rename = (name: string) => (Object.hasOwn(resultKeys, name) ? resultKeys[name]! : name);
  const renamed = (part: JsonSchema): JsonSchema => {
    const out: JsonSchema = { ...part };
    if (part.properties) out.properties = renamedKeys(part.properties, resultKeys);
    if (Array.isArray(part.required)) out.required = (part.required as string[]).map(rename);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(part[key])) out[key] = (part[key] as JsonSchema[]).map((branch) => (part === schema ? renamed(branch) : branch));
    return out;
  };
  notes.push(['result-name', `result ${unsafe.length > 1 ? 'fields' : 'field'} ${unsafe.map((n) => `"${n}"`).join(', ')} listed as ${unsafe.map((n) => `"${resultKeys[n]}"`).join(', ')} (the names break MCP clients' validators)`]);
  return { ...tool, outputSchema: renamed(schema), resultKeys };
}

/** `{ $ref: '#/$defs/X', … }` at the root → the root with a copy of X as one more `allOf` branch. */
function rootRefCopied(schema: JsonSchema): JsonSchema {
  const target = localDefinition(schema.$ref, schema.$defs);
  if (!target) return schema;
  const { $ref: _ref, ...rest } = schema;
  return { ...rest, allOf: [...((rest.allOf as JsonSchema[] | undefined) ?? []), { ...target }] };
}

/**
 * A root `allOf` of objects is merged; a root `oneOf`/`anyOf` becomes one object with the
 * properties of every alternative, required only where all alternatives require, and the choice
 * stated in the description (the upstream still checks it).
 */
function flattenRoot(tool: ToolDefinition, notes: Array<[RepairRule, string]>): ToolDefinition {
  const schema = tool.inputSchema;
  const combinators = (['allOf', 'anyOf', 'oneOf'] as const).filter((k) => Array.isArray(schema[k]));
  if (combinators.length === 0) return tool;
  const { allOf, anyOf, oneOf, ...root } = schema as JsonSchema & Record<'allOf' | 'anyOf' | 'oneOf', JsonSchema[] | undefined>;
  const properties: Record<string, unknown> = { ...((root.properties as Record<string, unknown>) ?? {}) };
  let required = new Set<string>((root.required as string[] | undefined) ?? []);
  const absorb = (part: JsonSchema) => {
    for (const [name, value] of Object.entries((part.properties as Record<string, unknown>) ?? {})) {
      if (!Object.hasOwn(properties, name)) setOwn(properties, name, value);
    }
  };
  for (const part of allOf ?? []) {
    absorb(part);
    for (const name of (part.required as string[] | undefined) ?? []) required.add(name);
  }
  const choices = [...(oneOf ?? []), ...(anyOf ?? [])];
  if (choices.length > 0) {
    choices.forEach(absorb);
    const everywhere = choices.map((c) => new Set((c.required as string[] | undefined) ?? []));
    const common = [...everywhere[0]!].filter((name) => everywhere.every((s) => s.has(name)));
    required = new Set([...required, ...common]);
    const options = choices.map((c, i) => {
      const names = (c.required as string[] | undefined) ?? Object.keys((c.properties as object) ?? {});
      const label = typeof c.title === 'string' ? c.title : typeof c.description === 'string' ? c.description : names.length ? names.join(' + ') : `option ${i + 1}`;
      return cutText(label, 80);
    });
    root.description = [root.description, `Give the arguments of ${oneOf ? 'exactly one' : 'at least one'} of: ${options.map((o) => `(${o})`).join(', ')}.`]
      .filter(Boolean)
      .join(' ');
  }
  const flat: JsonSchema = { ...root, type: 'object', properties };
  if (required.size > 0) flat.required = [...required].filter((name) => Object.hasOwn(properties, name));
  else delete flat.required;
  notes.push(['root-combinator', `root ${combinators.join('/')} of the input schema merged into one object`]);
  return { ...tool, inputSchema: flat };
}


/** `const: x` → `enum: [x]`, everywhere in the schema (Gemini's subset has no const). */
export function constToEnum(schema: JsonSchema): JsonSchema {
  // Most schemas have no const at all: those are returned as they are, not copied (MS Graph: 0.1 s).
  if (!someSubschema(schema, (node) => Object.hasOwn(node, 'const'))) return schema;
  const walk = (node: unknown): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    const toEnum = (key: string, value: unknown, out: Record<string, unknown>): boolean => {
      if (key !== 'const') return false;
      if (!Object.hasOwn(node, 'enum')) setOwn(out, 'enum', [value]);
      return true;
    };
    return mapSubschemas(node as Record<string, unknown>, walk, toEnum);
  };
  return walk(schema) as JsonSchema;
}

/** Gemini names start with a letter or `_`: `2fa_enable` → `_2fa_enable`, kept unique. */
function geminiNames(tools: ToolDefinition[], repairs: Repair[], client: ClientName): ToolDefinition[] {
  const taken = new Set(tools.map((t) => t.name));
  return tools.map((tool) => {
    if (/^[A-Za-z_]/.test(tool.name)) return tool;
    let name = fitName(`_${tool.name}`, 64, tool.name);
    if (taken.has(name)) name = fitName(`_${tool.name}_${shortHash(tool.name)}`, 64, tool.name);
    taken.add(name);
    repairs.push({ rule: 'name-start', tool: name, message: `tool ${tool.name} renamed ${name}: names must start with a letter or _ for --client ${client}`, pointer: pointerOf(tool) });
    return { ...tool, name };
  });
}

/** Cut at the last sentence or word end before `max`, with an ellipsis. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const sentence = head.lastIndexOf('. ');
  const word = head.lastIndexOf(' ');
  const at = sentence > max * 0.6 ? sentence + 1 : word > max * 0.6 ? word : head.length;
  return `${head.slice(0, at).trimEnd()}…`;
}
