/**
 * The MCP server proper: lists the definition's tools and runs each tool call, as one upstream
 * HTTP request for an OpenAPI operation (with retries and fallbacks, see upstream/resilience.ts)
 * or through the executor of its tool kind (kinds/), and serves three read-only resources:
 * metrics, the effective settings and recent log events. Transport-agnostic; see
 * transport/serve.ts for stdio and HTTP.
 */
import { randomUUID } from 'node:crypto';
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, Server } from '@modelcontextprotocol/server';
import type { CallToolResult, Resource, ServerContext, Tool } from '@modelcontextprotocol/server';
import { AuthError, mergeAuth, OAuth2TokenCache, upstreamCredentials } from './upstream/auth.js';
import type { Credentials, FetchLike } from './upstream/auth.js';
import { TokenExchange } from './upstream/token-exchange.js';
import type { SubjectToken } from './upstream/token-exchange.js';
import { loadOnce, ToolError } from './backend.js';
import { AuditLog } from './observe/audit.js';
import { readStaticResource, registerPrompts, staticResources } from './catalog.js';
import { toolFilter } from './transport/roles.js';
import type { Principal } from './transport/roles.js';
import type { BackendContext, Backends, ToolExecutor } from './backend.js';
import { isAbsoluteHttpUrl, toolTimeouts } from './config.js';
import type { RuntimeConfig } from './config.js';
import { listedTool } from './listing.js';
import { linkView, offersViews, requestCapabilities, takesViews, UI_EXTENSION, VIEW_MIME_TYPE, viewResources, viewTool } from './apps/views.js';
import type { ViewPages } from './apps/views.js';
import { hasView } from './definition.js';
import type { HttpBinding, ServerDefinition, ToolDefinition } from './definition.js';
import { DESCRIBE_TOOL, jsonResult, metaTools, SEARCH_TOOLS, ToolIndex } from './dynamic.js';
import { createHttpClient, deadlineSignal, UpstreamError } from './upstream/http-client.js';
import type { HttpClient, HttpRequest, SendReport } from './upstream/http-client.js';
import { createLogger, LogRing } from './observe/log.js';
import type { Logger } from './observe/log.js';
import { effectiveSettings, Metrics } from './observe/metrics.js';
import { buildRequest, RequestBuildError } from './upstream/request.js';
import type { BuiltRequest } from './upstream/request.js';
import { ResilientHttpClient } from './upstream/resilience.js';
import { ResponseCache } from './upstream/cache.js';
import { toToolResult, valueResult } from './upstream/response.js';
import type { SchemaValidator } from './validate.js';
import { checkedArguments, withDefaults } from './arguments.js';
import { READ_FACTOR } from './defaults.js';

/**
 * Collaborators, injectable for tests and shared between the per-session servers of the HTTP
 * transport (so schemas compile and OAuth tokens are fetched once per process).
 */
export interface ServerDeps {
  logger?: Logger;
  /** Recent log events for `logs://server/recent`; should be the ring the logger writes to. */
  logRing?: LogRing;
  fetchImpl?: FetchLike;
  httpClient?: HttpClient;
  /**
   * Input and output validation. By default ajv loads with the first tool call: with its formats
   * it is a fifth of a server's code, and starting and listing tools need none of it.
   */
  validator?: () => Promise<SchemaValidator>;
  tokens?: OAuth2TokenCache;
  /** MCP_TOKEN_EXCHANGE_URL: trades callers' tokens for upstream ones; `false` when not configured. */
  exchange?: TokenExchange | false;
  metrics?: Metrics;
  /** Executors of the YAML tool kinds this server uses (the generated entry point registers them). */
  backends?: Backends;
  /** Directory relative paths of the definition (SQLite files, seeds) resolve against; default: cwd. */
  projectDir?: string;
  /** One line per tool call; from MCP_AUDIT_LOG by default. */
  audit?: AuditLog;
  /** MCP_CACHE=memory: the GET cache behind the default HTTP client; `false` when off. */
  cache?: ResponseCache | false;
  /** Builds MCP App view pages; the generated entry point passes it when the project has views. */
  views?: ViewPages | false;
}

/**
 * Fills in defaults once, so every session reuses the same caches, breakers, bulkhead and
 * counters.
 */
export function resolveDeps(config: RuntimeConfig, deps: ServerDeps = {}): Required<ServerDeps> {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const logRing = deps.logRing ?? new LogRing();
  // Without a logger nothing reaches stderr, but the ring still records events.
  const logger = deps.logger ?? createLogger({ level: 'silent', ring: logRing });
  const cache = deps.cache ?? (config.cache ? new ResponseCache(config.cache) : false);
  return {
    logger,
    logRing,
    fetchImpl,
    httpClient:
      deps.httpClient ??
      new ResilientHttpClient(
        createHttpClient({
          timeoutMs: config.attemptTimeoutMs,
          maxResponseBytes: config.maxResponseBytes * READ_FACTOR,
          userAgent: config.userAgent,
          ...(cache ? { cache } : {}),
        }),
        {
          timeoutMs: config.timeoutMs,
          retry: config.retry,
          circuitBreaker: config.circuitBreaker,
          maxConcurrent: config.maxConcurrent,
          maxQueue: config.maxQueue,
          logger,
        },
      ),
    validator: deps.validator ?? loadValidator(),
    tokens: deps.tokens ?? new OAuth2TokenCache(),
    exchange: deps.exchange ?? (config.tokenExchange ? new TokenExchange(config.tokenExchange, { fetchImpl }) : false),
    metrics: deps.metrics ?? new Metrics(),
    backends: deps.backends ?? {},
    projectDir: deps.projectDir ?? process.cwd(),
    audit: deps.audit ?? new AuditLog(config.auditLog),
    cache,
    views: deps.views ?? false,
  };
}

/** A validator of its own per resolveDeps (compiled schemas are cached in it), loaded on first use. */
const loadValidator = () => loadOnce(async () => new (await import('./validate.js')).SchemaValidator());

export const RESOURCES: Resource[] = [
  {
    uri: 'metrics://server/stats',
    name: 'stats',
    title: 'Server statistics',
    description: 'Per-tool calls, errors, retries and latency p50/p95; circuit breaker state per upstream origin; cache hits, misses and revalidations.',
    mimeType: 'application/json',
  },
  {
    uri: 'config://server/settings',
    name: 'settings',
    title: 'Effective settings',
    description: 'The configuration in effect (from mcp-config.yaml and environment variables), secrets redacted.',
    mimeType: 'application/json',
  },
  {
    uri: 'logs://server/recent',
    name: 'recent-logs',
    title: 'Recent log events',
    description: 'The most recent log events (at most 200), oldest first.',
    mimeType: 'application/json',
  },
];

/**
 * What every server of one definition can share: over HTTP each request gets a server of its own
 * (transport/serve.ts), so anything built from the definition alone is built once.
 */
interface Shared {
  tools: Map<string, ToolDefinition>;
  listing?: Array<{ tool: Tool; bytes: number }>;
  /** The listing with each view linked, for clients that take MCP App views. */
  viewListing?: Array<{ tool: Tool; bytes: number }>;
  resources?: Resource[];
  viewResources?: Resource[];
  /** Dynamic mode's search index. */
  index?: ToolIndex;
}
const SHARED = new WeakMap<ServerDefinition, Shared>();

function sharedOf(definition: ServerDefinition): Shared {
  let shared = SHARED.get(definition);
  if (!shared) {
    shared = { tools: new Map(definition.tools.map((tool) => [tool.name, tool])) };
    SHARED.set(definition, shared);
  }
  return shared;
}

/**
 * `views`: whether this server's client takes MCP App views. Unset, each request's client
 * capabilities (or the connection's initialize) decide; the 2025-era HTTP path, one server for
 * every client, sets it.
 */
export function createServer(definition: ServerDefinition, config: RuntimeConfig, deps: ServerDeps = {}, options: { views?: boolean } = {}): Server {
  const resolved = resolveDeps(config, deps);
  const shared = sharedOf(definition);
  const tools = shared.tools;
  const withViews = offersViews(definition, config.mode);
  const takes = (ctx: ServerContext) => withViews && (options.views ?? takesViews(requestCapabilities(ctx, server.getClientCapabilities())));

  const info: { name: string; version: string; title?: string; description?: string } = {
    name: definition.server.name,
    version: definition.server.version,
  };
  if (definition.server.title) info.title = definition.server.title;
  if (definition.server.description) info.description = definition.server.description;
  const server = new Server(info, {
    // logging: clients may set a level (the SDK answers logging/setLevel); our logs stay on stderr.
    // prompts: always offered, so prompts/list answers (with an empty list when the spec has none).
    capabilities: { tools: {}, resources: {}, logging: {}, prompts: {}, ...(withViews ? { extensions: { [UI_EXTENSION]: {} } } : {}) },
    ...(definition.server.instructions ? { instructions: definition.server.instructions } : {}),
  });
  registerPrompts(server, definition);

  if (config.mode === 'dynamic') {
    registerMetaTools(server, definition, tools, config, resolved);
  } else {
    server.setRequestHandler('tools/list', (request, ctx) => {
      // Built on the first listing: a large definition should not slow start-up.
      shared.listing ??= definition.tools.map((t) => sized(listedTool(t)));
      let listing = shared.listing;
      if (takes(ctx)) {
        shared.viewListing ??= shared.listing.map((entry, i) => (hasView(definition.tools[i]!) ? sized(linkView(entry.tool, definition)) : entry));
        listing = shared.viewListing;
      }
      const permitted = toolFilter(definition, principalOf(ctx));
      return listPage(listing.filter((t) => permitted(t.tool.name)), request.params?.cursor);
    });
    server.setRequestHandler('tools/call', async (request, ctx) => {
      const principal = principalOf(ctx);
      const name = request.params.name;
      const args = request.params.arguments ?? {};
      const tool = tools.get(name);
      if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
      if (!toolFilter(definition, principal)(name)) return deny(resolved, principal, name, args);
      return audited(resolved, principal, name, args, () => callTool(tool, args, ctx, definition, config, resolved));
    });
  }

  shared.resources ??= [...RESOURCES, ...staticResources(definition)];
  const resources = shared.resources;
  server.setRequestHandler('resources/list', (_request, ctx) => {
    if (!takes(ctx)) return { resources };
    shared.viewResources ??= viewResources(definition);
    // A caller's roles hide the views of the tools they may not use, as they hide the tools.
    const permitted = toolFilter(definition, principalOf(ctx));
    return { resources: [...resources, ...shared.viewResources.filter((r) => permitted(r.name))] };
  });
  // A server offering resources answers this too (2026-07-28 caching checks it); specs declare no templates.
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: [] }));
  server.setRequestHandler('resources/read', async (request, ctx) => {
    const uri = request.params.uri;
    const viewed = withViews ? viewTool(definition, tools, uri) : undefined;
    if (viewed && toolFilter(definition, principalOf(ctx))(viewed.name)) return { contents: [await readView(viewed, uri, resolved)] };
    const declared = readStaticResource(definition, uri);
    if (declared) return { contents: [{ uri, ...declared }] };
    const value = readResource(uri, definition, config, resolved);
    // The SDK's not-found error carries the URI (data.uri), as the 2026-07-28 spec asks.
    if (value === undefined) throw new ResourceNotFoundError(uri, `Unknown resource: ${uri}`);
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
  });

  return server;
}

/** A view's page: readable by any client whose roles grant the tool, listed only to clients that take views. */
async function readView(tool: ToolDefinition, uri: string, deps: Required<ServerDeps>) {
  if (!deps.views) throw new ProtocolError(ProtocolErrorCode.InternalError, `The view of ${tool.name} is not part of this build: pass deps.views (the generated entry point does)`);
  const { viewPage } = await deps.views();
  return { uri, mimeType: VIEW_MIME_TYPE, text: await viewPage(tool, deps.projectDir) };
}

function sized(tool: Tool): { tool: Tool; bytes: number } {
  return { tool, bytes: Buffer.byteLength(JSON.stringify(tool)) };
}

function readResource(uri: string, definition: ServerDefinition, config: RuntimeConfig, deps: Required<ServerDeps>): unknown {
  switch (uri) {
    case 'metrics://server/stats': {
      const client = deps.httpClient;
      const cache = deps.cache ? { ...deps.cache.stats } : ('off' as const);
      return client instanceof ResilientHttpClient
        ? deps.metrics.snapshot({ breakers: client.breakerStates(), load: client.load, cache })
        : deps.metrics.snapshot({ cache });
    }
    case 'config://server/settings':
      return effectiveSettings(definition, config);
    case 'logs://server/recent':
      return deps.logRing.list();
    default:
      return undefined;
  }
}

/** Dynamic mode: search, describe and call tools through three meta-tools (see dynamic.ts). */
function registerMetaTools(
  server: Server,
  definition: ServerDefinition,
  tools: Map<string, ToolDefinition>,
  config: RuntimeConfig,
  deps: Required<ServerDeps>,
): void {
  const meta = metaTools(definition.server.title ?? definition.server.name, definition.tools.length);
  const metaByName = new Map(meta.map((t) => [t.name, t]));
  const shared = sharedOf(definition);
  shared.index ??= new ToolIndex(definition.tools);
  const index = shared.index;

  server.setRequestHandler('tools/list', () => ({ tools: meta }));
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const principal = principalOf(ctx);
    const permitted = toolFilter(definition, principal);
    const name = request.params.name;
    const metaTool = metaByName.get(name);
    if (!metaTool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const args = request.params.arguments ?? {};
    const valid = (await deps.validator()).validateArguments(name, metaTool.inputSchema, args);
    if (!valid.ok) return failure(valid.message);
    if (name === SEARCH_TOOLS) {
      return jsonResult({ results: await index.search(String(args.query), typeof args.limit === 'number' ? args.limit : 10, permitted) });
    }
    const tool = tools.get(String(args.name));
    if (!tool) return failure(`Unknown tool ${JSON.stringify(args.name)}; use ${SEARCH_TOOLS} to find tool names.`);
    const toolArgs = (args.arguments ?? {}) as Record<string, unknown>;
    // The same refusal as in tools mode; search already leaves such tools out.
    if (!permitted(tool.name)) return name === DESCRIBE_TOOL ? notPermitted(tool.name, principal) : deny(deps, principal, tool.name, toolArgs);
    if (name === DESCRIBE_TOOL) return jsonResult(listedTool(tool));
    return audited(deps, principal, tool.name, toolArgs, () => callTool(tool, toolArgs, ctx, definition, config, deps));
  });
}

/** The authenticated caller, when the HTTP transport verified one (see transport/inbound-auth.ts). */
function principalOf(ctx: ServerContext): Principal | undefined {
  return ctx.http?.authInfo?.extra?.principal as Principal | undefined;
}

/** Runs a permitted call and writes its audit line, also when the call throws. */
async function audited(
  deps: Required<ServerDeps>,
  principal: Principal | undefined,
  tool: string,
  args: Record<string, unknown>,
  call: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  const started = Date.now();
  let outcome: 'ok' | 'error' = 'error';
  try {
    const result = await call();
    if (!result.isError) outcome = 'ok';
    return result;
  } finally {
    // Names only: values may be passwords or tokens (see observe/audit.ts).
    deps.audit.record({ principal: principal?.subject ?? 'anonymous', tool, outcome, ms: Date.now() - started, arguments: Object.keys(args) });
  }
}

/** A call the caller's roles do not grant: audited as `denied`, answered with a tool error. */
function deny(deps: Required<ServerDeps>, principal: Principal | undefined, tool: string, args: Record<string, unknown>): CallToolResult {
  deps.audit.record({ principal: principal?.subject ?? 'anonymous', tool, outcome: 'denied', ms: 0, arguments: Object.keys(args) });
  deps.logger.info('tool call denied', { tool, principal: principal?.subject ?? 'anonymous' });
  return notPermitted(tool, principal);
}

/**
 * A tool error rather than "unknown tool": the tool exists, and the caller (or the model acting
 * for it) should learn that its token lacks the role, not retry with other arguments.
 */
function notPermitted(tool: string, principal: Principal | undefined): CallToolResult {
  const held = principal?.roles ?? [];
  const shown = held.length > 10 ? `${held.slice(0, 10).join(', ')}, …` : held.join(', ');
  const roles = held.length ? `none of the caller's roles (${shown}) grants it` : 'the caller has no roles';
  return failure(`Tool "${tool}" is not permitted: ${roles}. Ask for a token with a role that grants it.`);
}

/**
 * Largest tools/list page. The SDK's stdio client refuses any message over 10 MiB, and one
 * listing of a huge API (MS Graph: 25 MiB) is more than that; below this size the whole list is
 * one page, so clients that ignore nextCursor lose nothing on any API that fits at all.
 */
export const LIST_PAGE_BYTES = 8 * 1024 * 1024;

/** One page from `cursor` (the index of its first tool, as issued by the previous page). */
export function listPage(entries: Array<{ tool: Tool; bytes: number }>, cursor: string | undefined): { tools: Tool[]; nextCursor?: string } {
  const start = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(start) || start < 0 || start > entries.length || (cursor !== undefined && !/^\d+$/.test(cursor))) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor ${JSON.stringify(cursor)}: pass the nextCursor of the previous page`);
  }
  const tools: Tool[] = [];
  let bytes = 0;
  let i = start;
  for (; i < entries.length; i++) {
    const entry = entries[i]!;
    if (tools.length > 0 && bytes + entry.bytes > LIST_PAGE_BYTES) break;
    tools.push(entry.tool);
    bytes += entry.bytes;
  }
  return i < entries.length ? { tools, nextCursor: String(i) } : { tools };
}

/** What one tool call carries through the server, besides the tool and its arguments. */
interface CallContext {
  definition: ServerDefinition;
  config: RuntimeConfig;
  deps: Required<ServerDeps>;
  validator: SchemaValidator;
  /** Aborted when the client cancels the request or hangs up. */
  cancel: AbortSignal | undefined;
  /** Attempts and retries, filled in by the HTTP client. */
  report: SendReport;
  /** The verified caller's token: what token exchange trades (it is never sent upstream itself). */
  caller: SubjectToken | undefined;
}

/** The call's deadline: one signal covers token fetches, every attempt and the back-off between them. */
interface Deadline {
  signal: AbortSignal;
  deadlineAt: number;
  attemptTimeoutMs: number | undefined;
}

/** A finished call: the result, and what its log line says besides the tool and the time. */
interface Outcome {
  result: CallToolResult;
  log: Record<string, unknown>;
}

async function callTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  request: ServerContext,
  definition: ServerDefinition,
  config: RuntimeConfig,
  deps: Required<ServerDeps>,
): Promise<CallToolResult> {
  const ctx: CallContext = {
    definition,
    config,
    deps,
    validator: await deps.validator(),
    cancel: request.mcpReq.signal,
    report: { attempts: 0, retries: 0 },
    caller: callerOf(request),
  };
  return measured(tool, ctx, () => {
    const valid = checkedArguments(tool, args, ctx.validator);
    if (!valid.ok) {
      deps.logger.info('tool call rejected', { tool: tool.name, reason: 'invalid arguments' });
      return Promise.resolve(failure(valid.message));
    }
    const binding = tool.binding;
    if (binding.kind === 'http') return underDeadline(tool, ctx, { method: binding.method, path: binding.path }, (d) => callHttpTool({ ...tool, binding }, valid.args, ctx, d));
    return underDeadline(tool, ctx, { kind: binding.kind }, (d) => callBackendTool(tool, valid.args, ctx, d));
  });
}

/** Records the call's time, outcome and retries in the metrics resource. */
async function measured(tool: ToolDefinition, ctx: CallContext, call: () => Promise<CallToolResult>): Promise<CallToolResult> {
  const started = Date.now();
  const result = await call();
  ctx.deps.metrics.record(tool.name, { ms: Date.now() - started, isError: result.isError === true, retries: ctx.report.retries });
  return result;
}

/**
 * Runs a call under its deadline (the tool's own timeout from the spec replaces the server-wide
 * one) and writes its log line; whatever it throws becomes a tool error saying why.
 */
async function underDeadline(tool: ToolDefinition, ctx: CallContext, fields: Record<string, unknown>, run: (deadline: Deadline) => Promise<Outcome>): Promise<CallToolResult> {
  const { logger } = ctx.deps;
  const started = Date.now();
  const { timeoutMs, attemptTimeoutMs } = toolTimeouts(ctx.config, tool.timeoutMs);
  const timer = deadlineSignal(timeoutMs, ctx.cancel);
  try {
    const { result, log } = await run({ signal: timer.signal, deadlineAt: started + timeoutMs, attemptTimeoutMs });
    logger.info('tool call', { tool: tool.name, ...fields, ...log, isError: result.isError === true, attempts: ctx.report.attempts, ms: Date.now() - started });
    return result;
  } catch (err) {
    const message = describeFailure(err, timer.signal, timeoutMs);
    logger.warn('tool call failed', { tool: tool.name, ...fields, error: message, attempts: ctx.report.attempts, ms: Date.now() - started });
    return failure(message);
  } finally {
    timer.dispose();
  }
}

/** YAML tool kinds: the registered executor for the binding's kind. */
async function callBackendTool(tool: ToolDefinition, args: Record<string, unknown>, ctx: CallContext, deadline: Deadline): Promise<Outcome> {
  const kind = tool.binding.kind as keyof Backends;
  // Registered per kind, so the executor always matches the binding it is given.
  const execute = ctx.deps.backends[kind] as ToolExecutor | undefined;
  if (!execute) return { result: failure(`This server has no executor for ${kind} tools; regenerate it with mcp-gen.`), log: {} };
  const backendContext: BackendContext = {
    definition: ctx.definition,
    config: ctx.config,
    signal: deadline.signal,
    deadlineAt: deadline.deadlineAt,
    logger: ctx.deps.logger,
    http: ctx.deps.httpClient,
    credentials: credentialsFor(ctx, deadline),
    projectDir: ctx.deps.projectDir,
    report: ctx.report,
    ...(deadline.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: deadline.attemptTimeoutMs }),
  };
  const value = await execute(tool, withDefaults(tool, args), backendContext);
  return { result: valueResult(tool, value, ctx.validator, ctx.config.maxResponseBytes), log: {} };
}

/** OpenAPI operations: one request (with retries and fallback base URLs) built from the arguments. */
async function callHttpTool(tool: ToolDefinition & { binding: HttpBinding }, args: Record<string, unknown>, ctx: CallContext, deadline: Deadline): Promise<Outcome> {
  const { config, deps } = ctx;
  const binding = tool.binding;
  const baseUrl = config.baseUrl;
  if (!baseUrl || !isAbsoluteHttpUrl(baseUrl)) {
    const why = baseUrl ? `The upstream base URL "${baseUrl}" is not an absolute http(s) URL; set API_BASE_URL.` : 'No upstream base URL is configured; set API_BASE_URL.';
    return { result: failure(why), log: {} };
  }
  const callArgs = withIdempotencyKey(tool, args);
  const built = buildRequest({ binding, args: callArgs, baseUrl });
  const additions = await credentialsFor(ctx, deadline)(binding.security, baseUrl);
  mergeAuth(built, additions);
  // The same request against each fallback base URL, with the same credentials and key.
  const fallbacks = config.fallbackBaseUrls.map((url) => {
    const alternative = buildRequest({ binding, args: callArgs, baseUrl: url });
    mergeAuth(alternative, additions);
    return toHttpRequest(alternative);
  });
  const response = await deps.httpClient.send(toHttpRequest(built), {
    signal: deadline.signal,
    deadlineAt: deadline.deadlineAt,
    fallbacks,
    idempotent: tool.annotations.idempotentHint === true,
    report: ctx.report,
    ...(deadline.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: deadline.attemptTimeoutMs }),
  });
  const result = toToolResult(tool, response, { validator: ctx.validator, budget: config.maxResponseBytes });
  if (additions.missing && (response.status === 401 || response.status === 403)) {
    result.content = [...result.content, { type: 'text', text: additions.missing }];
  }
  const origin = ctx.report.origin && fallbacks.length > 0 ? { origin: ctx.report.origin } : {};
  return { result, log: { status: response.status, bytes: response.bytes.length, truncated: response.truncated, ...origin } };
}

/** The call's credentials: bound to its caller and its deadline (token requests count against it). */
function credentialsFor(ctx: CallContext, deadline: Deadline): Credentials {
  const { deps, definition, config } = ctx;
  const exchange = deps.exchange ? { exchange: deps.exchange, caller: ctx.caller } : undefined;
  return (security, baseUrl) =>
    upstreamCredentials({ security, schemes: definition.auth, env: config.env, fetchImpl: deps.fetchImpl, tokens: deps.tokens, signal: deadline.signal, baseUrl }, exchange);
}

function callerOf(request: ServerContext): SubjectToken | undefined {
  const info = request.http?.authInfo;
  return info ? { token: info.token, expiresAt: info.expiresAt } : undefined;
}

function toHttpRequest(built: BuiltRequest): HttpRequest {
  const request = { method: built.method, url: built.url, headers: built.headers };
  return built.body === undefined ? request : { ...request, body: built.body };
}

/**
 * When the operation declares an `Idempotency-Key` header and the caller left it out, one key is
 * generated per tool call, so every retry and fallback carries the same key (and may be retried).
 */
function withIdempotencyKey(tool: ToolDefinition & { binding: HttpBinding }, args: Record<string, unknown>): Record<string, unknown> {
  const param = tool.binding.parameters.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
  if (!param || args[param.arg] !== undefined) return args;
  return { ...args, [param.arg]: randomUUID() };
}

function describeFailure(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (err instanceof RequestBuildError) return `Invalid arguments: ${err.message}`;
  if (err instanceof AuthError || err instanceof UpstreamError || err instanceof ToolError) return err.message;
  // Anything else aborted by our signal (e.g. during a token fetch) is a timeout or cancel.
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.name === 'TimeoutError'
      ? `upstream request timed out after ${timeoutMs} ms`
      : 'upstream request was cancelled';
  }
  return `Tool call failed: ${err instanceof Error ? err.message : String(err)}`;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
