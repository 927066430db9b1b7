/**
 * OpenAPI 3.x document → ServerDefinition. Operations become tools; everything OpenAPI-specific
 * ends here.
 */
import type { AuthScheme, HttpMethod, JsonSchema, ServerDefinition, ToolAnnotations, ToolDefinition } from '../../runtime/definition.js';
import { SpecError, type Diagnostic } from '../../diagnostics.js';
import type { LoadedOpenApi } from '../../load/openapi.js';
import { assignNames, envName, nameFromRoute, packageName, TOOL_NAME_PATTERN, type NameRequest } from '../naming.js';
import { lowerInput } from './parameters.js';
import { lowerRequirements, lowerSecuritySchemes } from './security.js';
import { lowerServers } from './servers.js';
import { collectDefs, convertSchema, createSchemaContext, deref, isObjectSchema, type SchemaContext } from './schema.js';
import { operationSelector, type OperationFilter } from './filter.js';
import { readXMcp, type XMcp } from './x-mcp.js';
import { fitsJson } from '../../passes/json-size.js';
import { shapeOnly } from '../../schema/shape-only.js';
import { firstSentences, TOOL_DESCRIPTION_CHARS, trimArguments } from './prose.js';
import type { ClientName } from '../../choices.js';
import { nameBudget, PROFILES } from '../../passes/clients.js';

export interface LowerOptions {
  /** Overrides the package / server name derived from `info.title`. */
  name?: string;
  /** Replaces the spec's `servers`. */
  baseUrl?: string;
  maxNameLength: number;
  /** The client profile: its name budget (prefix included) may be tighter than maxNameLength. */
  client: ClientName;
  /** Where the spec was read from, when it was a URL: relative server URLs resolve against it. */
  sourceUrl?: string;
  filter?: OperationFilter;
}

export interface Lowered {
  definition: ServerDefinition;
  warnings: Diagnostic[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** What each method implies when the spec says nothing (MCP tool annotation semantics). */
const METHOD_HINTS: Record<(typeof METHODS)[number], Omit<ToolAnnotations, 'title'>> = {
  get: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  head: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  options: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  trace: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  put: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  delete: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  patch: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  post: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const SUCCESS_CODES = ['200', '201', '202', '203', '206', '2XX', '2xx'];

/**
 * Largest output schema kept, in bytes of JSON. Response schemas of real APIs pull in large
 * graphs of shared types (GitHub: 6.3 MB of output schemas for 1,223 tools, against 1.1 MB of input
 * schemas), and every client pays for them in tools/list on every session. Above the budget the tool
 * returns its JSON as text without a declared schema, which is also what it does for specs with no
 * response schema at all.
 */
export const OUTPUT_SCHEMA_BUDGET = 2048;

interface Pending {
  request: NameRequest;
  tool: Omit<ToolDefinition, 'name'>;
  /** From `x-mcp: { roles }`. */
  roles?: string[];
  /** Where the operation is, for warnings about its roles. */
  at: readonly (string | number)[];
}

export function lowerOpenApi(loaded: LoadedOpenApi, options: LowerOptions): Lowered {
  const doc = loaded.document as unknown as Record<string, unknown>;
  const warnings: Diagnostic[] = [];
  const info = (doc.info ?? {}) as Record<string, unknown>;
  const title = typeof info.title === 'string' && info.title.trim() ? info.title.trim() : 'API';
  const name = options.name ?? packageName(title);
  const envPrefix = envName(name);
  const ctx = createSchemaContext(doc, loaded.dialect, warnings);
  const schemes = lowerSecuritySchemes(doc, envPrefix, warnings);

  const paths = doc.paths;
  if (!paths || typeof paths !== 'object') {
    throw new SpecError({ message: 'the document has no "paths"', pointer: [], fix: 'add at least one operation under paths' });
  }

  const select = options.filter ? operationSelector(options.filter) : undefined;
  const pending: Pending[] = [];
  for (const [route, rawItem] of Object.entries(paths as Record<string, unknown>)) {
    const itemAt = ['paths', route];
    const item = deref(ctx, rawItem as Record<string, unknown>, itemAt);
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op || typeof op !== 'object') continue;
      const opAt = [...itemAt, method];
      const x = readXMcp(op['x-mcp'], [...opAt, 'x-mcp']);
      if (x.exclude) continue;
      if (select && !select({ operationId: typeof op.operationId === 'string' ? op.operationId : undefined, path: route, tags: op.tags })) continue;
      pending.push(lowerOperation({ ctx, doc, route, method, item, op, at: { path: itemAt, op: opAt }, x, schemes, warnings }));
    }
  }
  if (!pending.length) {
    throw select
      ? new SpecError({ message: 'no operation is left after --include/--exclude/--include-tags/--exclude-tags', fix: 'loosen the filters' })
      : new SpecError({ message: 'the document has no operations to turn into tools', pointer: ['paths'], fix: 'add operations under paths, or remove x-mcp: false' });
  }

  const names = assignNames(
    pending.map((p) => p.request),
    nameBudget(PROFILES[options.client], name, options.maxNameLength),
  );
  const tools: ToolDefinition[] = pending.map((p, i) => ({ name: names[i]!, ...p.tool }));
  // x-mcp roles per operation → the definition's role → tool names map.
  const roles: Record<string, string[]> = {};
  pending.forEach((p, i) => {
    for (const role of p.roles ?? []) (roles[role] ??= []).push(names[i]!);
  });
  // Once any role is declared, a tool in none is usable by nobody when inbound auth is on.
  if (Object.keys(roles).length > 0) {
    pending.forEach((p, i) => {
      if (p.roles) return;
      warnings.push({
        message: `operation ${names[i]} has no x-mcp roles while others do: with inbound auth on, no caller may use it`,
        pointer: p.at,
        fix: 'add x-mcp: { roles: [...] } to it, or x-mcp: false to leave it out',
      });
    });
  }

  const definition: ServerDefinition = {
    formatVersion: 1,
    server: {
      name,
      version: typeof info.version === 'string' && info.version ? info.version : '0.0.0',
      title,
      ...(typeof info.description === 'string' && info.description ? { description: info.description } : {}),
      envPrefix,
    },
    baseUrls: options.baseUrl ? [options.baseUrl.replace(/\/+$/, '')] : lowerServers(doc.servers, options.sourceUrl),
    auth: [...schemes.values()],
    tools,
    ...(Object.keys(roles).length ? { roles: Object.fromEntries(Object.entries(roles).sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
  };
  return { definition, warnings };
}

interface OperationInput {
  ctx: SchemaContext;
  doc: Record<string, unknown>;
  route: string;
  method: (typeof METHODS)[number];
  item: Record<string, unknown>;
  op: Record<string, unknown>;
  at: { path: readonly (string | number)[]; op: readonly (string | number)[] };
  x: XMcp;
  schemes: Map<string, AuthScheme>;
  warnings: Diagnostic[];
}

function lowerOperation({ ctx, doc, route, method, item, op, at, x, schemes, warnings }: OperationInput): Pending {
  const httpMethod = method.toUpperCase() as HttpMethod;
  const identity = `${httpMethod} ${route}`;
  const operationId = typeof op.operationId === 'string' && op.operationId ? op.operationId : undefined;
  const wanted = x.name ?? operationId ?? nameFromRoute(method, route);
  const request: NameRequest = { wanted, identity, verbatim: (x.name ?? operationId) !== undefined && TOOL_NAME_PATTERN.test(wanted) };

  const input = lowerInput(ctx, item, op, at, warnings);
  let inputSchema: JsonSchema = { type: 'object', properties: input.properties };
  if (input.required.length) inputSchema.required = input.required;
  inputSchema.additionalProperties = false;
  const inDefs = collectDefs(ctx, input.refs, 'input');
  if (inDefs) inputSchema.$defs = inDefs;
  inputSchema = trimArguments(inputSchema) as JsonSchema;

  const summary = typeof op.summary === 'string' ? op.summary.trim() : '';
  const longText = typeof op.description === 'string' ? op.description.trim() : '';
  const documented = [summary, longText].filter((t, i, all) => t && all.indexOf(t) === i).join('\n\n');
  const description = x.description ?? (firstSentences(documented, TOOL_DESCRIPTION_CHARS) || `${httpMethod} ${route}`);
  const title = x.title ?? (summary || undefined);

  const annotations: ToolAnnotations = { ...(title ? { title } : {}), ...METHOD_HINTS[method], ...x.annotations };
  const security = lowerRequirements(op.security ?? doc.security, schemes);

  const tool: Omit<ToolDefinition, 'name'> = {
    ...(title ? { title } : {}),
    description,
    inputSchema,
    annotations,
    binding: {
      kind: 'http',
      method: httpMethod,
      path: route.replace(/[#?].*$/, ''),
      parameters: input.parameters,
      ...(input.body ? { body: input.body } : {}),
      security,
    },
  };
  if (x.timeoutMs !== undefined) tool.timeoutMs = x.timeoutMs;
  if (x.view !== undefined) tool.view = x.view;
  const output = lowerOutput(ctx, op, at.op);
  if (output) {
    tool.outputSchema = output.schema;
    if (output.wrapKey) tool.wrapKey = output.wrapKey;
  }
  return { request, tool, at: at.op, ...(x.roles ? { roles: x.roles } : {}) };
}

/**
 * The 2xx JSON response → an object-rooted output schema (non-objects wrapped as `{ result }`)
 * that gives the answer's shape without refusing one that strays (schema/shape-only.ts).
 */
function lowerOutput(ctx: SchemaContext, op: Record<string, unknown>, opAt: readonly (string | number)[]) {
  const responses = op.responses as Record<string, unknown> | undefined;
  if (!responses || typeof responses !== 'object') return undefined;
  const code = SUCCESS_CODES.find((c) => c in responses);
  if (!code) return undefined;
  const at = [...opAt, 'responses', code];
  const res = deref(ctx, responses[code] as { content?: Record<string, { schema?: unknown }> }, at);
  const content = res?.content;
  if (!content || typeof content !== 'object') return undefined;
  const mediaType = Object.keys(content).find((t) => /^application\/(.+\+)?json\b/i.test(t));
  if (!mediaType) return undefined;
  const raw = content[mediaType]?.schema;
  if (raw === undefined) return undefined;
  const refs = new Set<string>();
  const converted = convertSchema(ctx, raw, 'output', [...at, 'content', mediaType, 'schema'], refs);
  if (!fitsJson(converted, OUTPUT_SCHEMA_BUDGET)) return undefined;
  const defs = collectDefs(ctx, refs, 'output', OUTPUT_SCHEMA_BUDGET);
  if (defs === null) return undefined;
  let schema: JsonSchema;
  let wrapKey: string | undefined;
  if (isObjectSchema(ctx, raw)) {
    schema = { type: 'object', ...converted };
    if (schema.type !== 'object') schema.type = 'object';
  } else {
    wrapKey = 'result';
    schema = { type: 'object', properties: { result: converted }, required: ['result'] };
  }
  if (defs) schema.$defs = defs;
  // What the API documents, as the shape of its answers rather than a gate on them.
  schema = shapeOnly(schema);
  if (!fitsJson(schema, OUTPUT_SCHEMA_BUDGET)) return undefined;
  return { schema, wrapKey };
}
