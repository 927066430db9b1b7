/**
 * Wires a server to stdio or to Streamable HTTP on node:http, on the MCP SDK v2 server.
 *
 * Both protocol eras are served: 2026-07-28 (server/discover, the version on every request, no
 * initialize, no sessions) and the 2025 revisions (initialize). HTTP is stateless, so any replica
 * behind a load balancer can answer any request: a 2026-07-28 request gets a fresh Server from the
 * SDK's handler, a well-formed 2025-era POST goes to one long-lived Server of the process through
 * legacy-json.ts (the SDK's per-request path costs more than the tool call), and both share the
 * process's caches, breakers, bulkhead and metrics. A legacy client's Mcp-Session-Id is accepted
 * and needs no table. A closed connection cancels the call.
 *
 * The node:http front is deliberately small (no framework) but carries what a reachable endpoint
 * needs: Host and Origin checks against DNS rebinding, bearer-JWT auth (inbound-auth.ts) when
 * configured, a per-caller rate limit, a request body limit, liveness and readiness probes, and a
 * graceful drain on shutdown.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { RuntimeConfig } from '../config.js';
import type { ServerDefinition } from '../definition.js';
import { createRateLimit } from './rate-limit.js';
import { jsonRpcMessages, LegacyJsonTransport, sendJson } from './legacy-json.js';
import { createServer, resolveDeps } from '../server.js';
import { offersViews, takesViews } from '../apps/views.js';
import type { ServerDeps } from '../server.js';

export const MCP_PATH = '/mcp';
/** RFC 9728 protected-resource metadata, which the MCP authorization spec points clients at. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';
/** Liveness: the process answers. */
export const HEALTH_PATH = '/healthz';
/** Readiness: the process takes new work; 503 while it drains for shutdown. */
export const READY_PATH = '/readyz';

export interface RunningServer {
  /** Stops taking work and resolves once the work in flight is done or `graceMs` has passed. */
  close(graceMs?: number): Promise<void>;
}

export interface HttpServerHandle extends RunningServer {
  /** The bound port (useful with PORT=0). */
  port: number;
  host: string;
  /** Full endpoint URL, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string;
}

export async function startStdio(
  definition: ServerDefinition,
  config: RuntimeConfig,
  deps: ServerDeps = {},
): Promise<RunningServer> {
  const resolved = resolveDeps(config, deps);
  // The first message decides the era; one server serves the whole connection.
  const served = serveStdio(() => createServer(definition, config, resolved), {
    onerror: (err) => resolved.logger.error('stdio transport error', { error: err }),
  });
  // stdio is spoken by a local parent process; there is no bearer token to check.
  if (config.inboundAuth) resolved.logger.warn('MCP_AUTH_* settings apply to MCP_TRANSPORT=http only; stdio is not authenticated');
  resolved.logger.info('ready on stdio', { tools: definition.tools.length });
  return { close: () => served.close() };
}

export async function startHttpServer(
  definition: ServerDefinition,
  config: RuntimeConfig,
  deps: ServerDeps = {},
): Promise<HttpServerHandle> {
  // Resolved once: every request's server shares the caches, breakers, bulkhead and counters.
  const resolved = resolveDeps(config, deps);
  const { logger } = resolved;
  let guard: RequestGuard | undefined;
  // The JWT library loads only when inbound auth is configured.
  const inbound = config.inboundAuth ? new (await import('./inbound-auth.js')).InboundAuth(config.inboundAuth) : undefined;
  const limiter = await createRateLimit(config, logger);
  const mcp = createMcpHandler(() => createServer(definition, config, resolved), {
    // 2025-era clients are served without sessions, so no replica needs another's memory.
    legacy: 'stateless',
    maxRequestBodySize: config.maxBodyBytes,
    // Mostly requests the SDK refused (a bad header or envelope): the client's mistake, not ours.
    onerror: (err) => logger.warn('mcp request refused or failed', { error: err }),
  });

  // 2025-era POSTs take the fast path: one server for the process, JSON answers (legacy-json.ts).
  // Clients that take MCP App views get a second one; their session id says so (legacyRoute).
  const legacyServer = async (views: boolean) => {
    const transport = new LegacyJsonTransport();
    const server = createServer(definition, config, resolved, { views });
    server.onerror = (err) => logger.warn('mcp request failed', { error: err });
    await server.connect(transport);
    return { server, transport };
  };
  const legacy = await legacyServer(false);
  let legacyViews: ReturnType<typeof legacyServer> | undefined;
  const withViews = offersViews(definition, config.mode);

  let draining = false;
  /** Requests being answered, and who waits for them to end. */
  let active = 0;
  let onIdle: (() => void) | undefined;

  const httpServer = createHttpServer((req, res) => {
    active++;
    res.once('close', () => {
      active--;
      if (active === 0) onIdle?.();
    });
    // While draining, answers close their connection: the client reconnects to another replica.
    if (draining) res.setHeader('connection', 'close');
    handle(req, res).catch((err: unknown) => {
      logger.error('http request failed', { error: err instanceof Error ? err : String(err) });
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';

    // Exempt from Host checks: probes address the pod IP, and the answers reveal nothing.
    if (path === HEALTH_PATH || path === READY_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendPlain(res, 405, { error: 'Method not allowed' }, 'GET, HEAD');
      if (path === READY_PATH && draining) return sendPlain(res, 503, { status: 'draining' });
      return sendPlain(res, 200, { status: path === READY_PATH ? 'ready' : 'ok' });
    }

    const rejection = guard?.check(req);
    if (rejection) {
      logger.warn('request rejected', { reason: rejection });
      return sendPlain(res, 403, { error: rejection });
    }
    if (inbound && (path === RESOURCE_METADATA_PATH || path === `${RESOURCE_METADATA_PATH}${MCP_PATH}`)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendPlain(res, 405, { error: 'Method not allowed' }, 'GET, HEAD');
      return sendPlain(res, 200, resourceMetadata(req));
    }
    if (path !== MCP_PATH) return sendPlain(res, 404, { error: 'Not found' });

    let authInfo: AuthInfo | undefined;
    if (inbound) {
      const verified = await inbound.verify(header(req, 'authorization'));
      if (!verified.ok) {
        logger.info('request unauthenticated', { reason: verified.reason });
        const challenge = [`Bearer resource_metadata="${origin(req)}${RESOURCE_METADATA_PATH}"`];
        // RFC 6750 §3: error_description may not contain `"` or `\`, so the reason's quotes become `'`.
        if (verified.tokenPresented) challenge.push(`error="invalid_token"`, `error_description="${verified.reason.replace(/["\\]/g, "'")}"`);
        res.setHeader('www-authenticate', challenge.join(', '));
        return sendJsonRpcError(res, 401, -32001, `Unauthorized: ${verified.reason}`);
      }
      const subject = verified.principal.subject;
      authInfo = { token: verified.token, clientId: subject, scopes: verified.principal.roles, extra: { principal: verified.principal } };
      if (verified.expiresAt !== undefined) authInfo.expiresAt = verified.expiresAt;
    }

    if (limiter) {
      // Per caller: the token's subject when authenticated, else the client address.
      const wait = await limiter.take(authInfo?.clientId ?? req.socket.remoteAddress ?? 'unknown');
      if (wait !== undefined) {
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
        logger.warn('rate limited', { principal: authInfo?.clientId ?? 'anonymous' });
        return sendJsonRpcError(res, 429, -32000, `Too many requests: at most ${config.rateLimitPerMinute} per minute`);
      }
    }

    let body: string | undefined;
    if (req.method === 'POST') {
      const read = await readBody(req, res, config.maxBodyBytes);
      if (read === NO_BODY) return;
      body = read;
      const messages = legacyMessages(req, body);
      if (messages) {
        const route = withViews ? legacyRoute(req, messages.list) : 'plain';
        if (route === 'plain') return legacy.transport.receive(messages.list, messages.batch, res, authInfo ? { authInfo } : {});
        if (route === 'new-views-session') res.setHeader('mcp-session-id', `${VIEWS_SESSION}${randomUUID()}`);
        legacyViews ??= legacyServer(true);
        return (await legacyViews).transport.receive(messages.list, messages.batch, res, authInfo ? { authInfo } : {});
      }
    }
    // The call ends with the connection: a client that hangs up cancels its request.
    const hangUp = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) hangUp.abort();
    });
    const request = new Request(`http://${header(req, 'host') ?? 'localhost'}${req.url ?? MCP_PATH}`, {
      method: req.method ?? 'GET',
      headers: webHeaders(req),
      ...(body === undefined ? {} : { body }),
      signal: hangUp.signal,
    });
    const response = await mcp.fetch(request, authInfo ? { authInfo } : undefined);
    await writeResponse(res, response);
  }

  /** The URL clients reached us by; the guard has already checked the Host header. */
  function origin(req: IncomingMessage): string {
    return `http://${header(req, 'host') ?? `${formatHost(config.host)}:${(httpServer.address() as AddressInfo).port}`}`;
  }

  function resourceMetadata(req: IncomingMessage): object {
    return {
      resource: `${origin(req)}${MCP_PATH}`,
      authorization_servers: config.inboundAuth?.issuer ? [config.inboundAuth.issuer] : [],
      bearer_methods_supported: ['header'],
      resource_name: definition.server.title ?? definition.server.name,
    };
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  guard = new RequestGuard(config, port);
  const url = `http://${formatHost(config.host)}:${port}${MCP_PATH}`;
  logger.info(`listening on ${url}`, { auth: inbound ? config.inboundAuth!.key.kind : 'off', rateLimitPerMinute: config.rateLimitPerMinute, maxBodyBytes: config.maxBodyBytes });
  if (!inbound && !isLoopback(config.host)) {
    logger.warn('listening beyond loopback without inbound auth: anyone who reaches the port uses the configured API credentials; set MCP_AUTH_JWT_SECRET, MCP_AUTH_PUBLIC_KEY or MCP_AUTH_JWKS_URL');
  }
  const exchangeAt = config.tokenExchange ? new URL(config.tokenExchange.url) : undefined;
  if (exchangeAt?.protocol === 'http:' && !isLoopback(exchangeAt.hostname)) {
    logger.warn("MCP_TOKEN_EXCHANGE_URL is plain http: callers' tokens and the client secret cross the network unencrypted", { host: exchangeAt.host });
  }

  let closing: Promise<void> | undefined;
  /**
   * Drains: /readyz answers 503 at once, so the balancer sends new work elsewhere, while requests
   * that still arrive are served (their answers close the connection) and those in flight get
   * `graceMs` to finish. Then the listener closes and whatever still runs is cut.
   */
  const close = (graceMs = 0): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      if (active > 0 && graceMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (active > 0) logger.warn('shutdown grace over: cutting requests still running', { requests: active });
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await mcp.close();
      await legacy.server.close();
      if (legacyViews) await (await legacyViews).server.close();
      await limiter?.close();
      await stopped;
    })();
    return closing;
  };

  return { port, host: config.host, url, close };
}

/**
 * Mcp-Session-Id of 2025-era HTTP clients that take MCP App views. No replica keeps sessions, so
 * the id itself carries the one thing to remember: it is issued on an initialize that declares the
 * UI extension, and any replica reading it lists views. (A client that sends it unasked only
 * gets view links it can ignore.)
 */
const VIEWS_SESSION = 'mcp-apps-';

function legacyRoute(req: IncomingMessage, messages: JSONRPCMessage[]): 'plain' | 'views' | 'new-views-session' {
  if (header(req, 'mcp-session-id')?.startsWith(VIEWS_SESSION)) return 'views';
  const initialize = messages.find((m) => 'method' in m && m.method === 'initialize') as { params?: { capabilities?: unknown } } | undefined;
  return initialize && takesViews(initialize.params?.capabilities) ? 'new-views-session' : 'plain';
}

/**
 * A well-formed 2025-era POST's messages, for the fast path; undefined for anything else (the
 * 2026-07-28 era, `server/discover`, a bad header or body), which the SDK's handler answers with
 * its own checks and errors.
 */
function legacyMessages(req: IncomingMessage, body: string): { list: JSONRPCMessage[]; batch: boolean } | undefined {
  const version = header(req, 'mcp-protocol-version');
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  if (!/^application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? '')) return undefined;
  const accept = header(req, 'accept') ?? '';
  if (!/application\/json|\*\/\*/i.test(accept) || !/text\/event-stream|\*\/\*/i.test(accept)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const list = jsonRpcMessages(parsed);
  if (!list) return undefined;
  const modern = list.some((m) => 'method' in m && (m.method === 'server/discover' || hasEnvelope(m)));
  return modern ? undefined : { list, batch: Array.isArray(parsed) };
}

/** A 2026-07-28 request carries its protocol version in `_meta`. */
function hasEnvelope(message: JSONRPCMessage): boolean {
  const meta = (message as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
  return meta !== undefined && 'io.modelcontextprotocol/protocolVersion' in meta;
}

/** The node request's headers as web Headers (repeated headers appended). */
function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** A web Response onto the node one; an event stream is written as it comes. */
async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Connection management is node's (and ours while draining), not the handler's.
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      res.write(value);
    }
  } finally {
    if (res.destroyed) await reader.cancel().catch(() => undefined);
    res.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Host / Origin validation

export class RequestGuard {
  private readonly hosts = new Set<string>();
  private readonly hostnames = new Set<string>();
  private readonly origins = new Set<string>();

  constructor(config: Pick<RuntimeConfig, 'host' | 'allowedHosts' | 'allowedOrigins'>, port: number) {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) this.hosts.add(`${host}:${port}`);
    const bound = config.host.toLowerCase();
    if (!['127.0.0.1', 'localhost', '::1'].includes(bound)) this.hosts.add(`${formatHost(bound)}:${port}`);
    for (const entry of config.allowedHosts) {
      const value = entry.toLowerCase();
      // An entry without a port allows that host name on any port (e.g. behind a proxy).
      if (splitHost(value).port === undefined) this.hostnames.add(splitHost(value).hostname);
      else this.hosts.add(value);
    }
    for (const origin of ['localhost', '127.0.0.1', '[::1]']) this.origins.add(`http://${origin}:${port}`);
    for (const origin of config.allowedOrigins) this.origins.add(normaliseOrigin(origin));
  }

  /** Returns a reason when the request must be refused, otherwise undefined. */
  check(req: IncomingMessage): string | undefined {
    const host = header(req, 'host')?.toLowerCase();
    if (!host) return 'Missing Host header';
    if (!this.hosts.has(host) && !this.hostnames.has(splitHost(host).hostname)) {
      return `Host not allowed: ${host} (add it to MCP_ALLOWED_HOSTS)`;
    }
    const origin = header(req, 'origin');
    if (origin !== undefined && !this.origins.has(normaliseOrigin(origin))) {
      return `Origin not allowed: ${origin} (add it to MCP_ALLOWED_ORIGINS)`;
    }
    return undefined;
  }
}

function splitHost(value: string): { hostname: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(value);
  return match ? { hostname: match[1] ?? value, port: match[2] } : { hostname: value, port: undefined };
}

function isLoopback(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host.toLowerCase()) || /^127\./.test(host);
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function normaliseOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Small HTTP helpers

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendPlain(res: ServerResponse, status: number, body: unknown, allow?: string): void {
  if (allow) res.setHeader('allow', allow);
  sendJson(res, status, body);
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

const NO_BODY = Symbol('no body');

/**
 * Reads a body of at most `limit` bytes; over it, answers 413 itself and returns NO_BODY. A
 * declared oversize body is refused before any of it is read; an undeclared (chunked) one as soon
 * as it passes the limit, so memory stays bounded either way. (Parsing is the SDK's.)
 */
async function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | typeof NO_BODY> {
  const refuse = (): typeof NO_BODY => {
    // connection: close makes node end the socket once the 413 is written; until then the rest
    // of the body is read and dropped (destroying the socket now could lose the answer).
    res.setHeader('connection', 'close');
    sendJsonRpcError(res, 413, -32000, `Request body exceeds ${limit} bytes (MCP_MAX_BODY_BYTES)`);
    // A client that gives up mid-body is no error of ours.
    req.on('error', () => {}).resume();
    return NO_BODY;
  };
  const declared = Number(header(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) return refuse();
  return new Promise<string | typeof NO_BODY>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).off('error', reject);
      resolve(refuse());
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}
