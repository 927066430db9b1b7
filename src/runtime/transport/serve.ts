/**
 * Wires a server to stdio or to Streamable HTTP on node:http. The HTTP side is deliberately
 * small (no framework) but carries the protections a reachable MCP endpoint needs: Host and
 * Origin checks against DNS rebinding, bearer-JWT auth (inbound-auth.ts) when configured, a
 * per-caller rate limit, a request body limit, and sessions that only their opener may use.
 * POSTs are answered with JSON (json-session.ts); the optional GET stream is refused with 405.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { RuntimeConfig } from '../config.js';
import type { ServerDefinition } from '../definition.js';
import { InboundAuth } from './inbound-auth.js';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { JsonSessionTransport, jsonRpcMessages, sendJson } from './json-session.js';
import { createServer, resolveDeps } from '../server.js';
import type { ServerDeps } from '../server.js';

export const MCP_PATH = '/mcp';
/** RFC 9728 protected-resource metadata, which the MCP authorization spec points clients at. */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';
export const HEALTH_PATH = '/healthz';

export interface RunningServer {
  close(): Promise<void>;
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
  const server = createServer(definition, config, resolved);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // stdio is spoken by a local parent process; there is no bearer token to check.
  if (config.inboundAuth) resolved.logger.warn('MCP_AUTH_* settings apply to MCP_TRANSPORT=http only; stdio is not authenticated');
  resolved.logger.info('ready on stdio', { tools: definition.tools.length });
  return { close: () => server.close() };
}

interface Session {
  transport: JsonSessionTransport;
  server: Server;
  /** Who opened the session: with inbound auth, nobody else may use it. */
  subject: string | undefined;
}

export async function startHttpServer(
  definition: ServerDefinition,
  config: RuntimeConfig,
  deps: ServerDeps = {},
): Promise<HttpServerHandle> {
  // Resolved once so that every session shares schema and token caches.
  const resolved = resolveDeps(config, deps);
  const { logger } = resolved;
  const sessions = new Map<string, Session>();
  let guard: RequestGuard | undefined;
  const inbound = config.inboundAuth ? new InboundAuth(config.inboundAuth) : undefined;
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiterMemory({ points: config.rateLimitPerMinute, duration: 60 }) : undefined;

  const httpServer = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('http request failed', { error: err instanceof Error ? err : String(err) });
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';

    // Exempt from Host checks: probes address the pod IP, and the answer reveals nothing.
    if (path === HEALTH_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendPlain(res, 405, { error: 'Method not allowed' }, 'GET, HEAD');
      return sendPlain(res, 200, { status: 'ok' });
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

    let subject: string | undefined;
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
      subject = verified.principal.subject;
      authInfo = { token: verified.token, clientId: subject, scopes: verified.principal.roles, extra: { principal: verified.principal } };
    }

    if (limiter) {
      // Per caller: the token's subject when authenticated, else the client address.
      const key = subject ?? req.socket.remoteAddress ?? 'unknown';
      try {
        await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        res.setHeader('retry-after', String(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
        logger.warn('rate limited', { principal: subject ?? 'anonymous' });
        return sendJsonRpcError(res, 429, -32000, `Too many requests: at most ${config.rateLimitPerMinute} per minute`);
      }
    }

    const sessionId = header(req, 'mcp-session-id');
    if (req.method === 'POST') {
      if (!acceptsJson(header(req, 'accept'))) return sendJsonRpcError(res, 406, -32000, 'Not Acceptable: the Accept header must allow application/json');
      if (!isJsonContentType(header(req, 'content-type'))) return sendJsonRpcError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
      const body = await readJsonBody(req, res, config.maxBodyBytes);
      if (body === NO_BODY) return;
      const messages = jsonRpcMessages(body);
      if (!messages) return sendJsonRpcError(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
      const initialize = messages.some(isInitialize);
      const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
      if (authInfo) extra.authInfo = authInfo;
      if (sessionId !== undefined) {
        const session = sessions.get(sessionId);
        // Someone else's session looks exactly like no session.
        if (!session || session.subject !== subject) return sendJsonRpcError(res, 404, -32001, 'Session not found');
        if (initialize) return sendJsonRpcError(res, 400, -32600, 'Invalid Request: Server already initialized');
        const version = header(req, 'mcp-protocol-version');
        if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
          return sendJsonRpcError(res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
        }
        return session.transport.receive(messages, Array.isArray(body), res, extra);
      }
      if (!initialize) return sendJsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
      if (messages.length > 1) return sendJsonRpcError(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      return startSession(messages, Array.isArray(body), res, extra, subject);
    }
    if (req.method === 'DELETE') {
      if (sessionId === undefined) return sendJsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
      const session = sessions.get(sessionId);
      if (!session || session.subject !== subject) return sendJsonRpcError(res, 404, -32001, 'Session not found');
      await session.server.close();
      return void res.writeHead(200).end();
    }
    // GET would open a stream for server-initiated messages; generated servers send none.
    res.setHeader('allow', 'POST, DELETE');
    return sendJsonRpcError(res, 405, -32000, 'Method not allowed');
  }

  async function startSession(messages: JSONRPCMessage[], batch: boolean, res: ServerResponse, extra: MessageExtraInfo, subject: string | undefined): Promise<void> {
    const server = createServer(definition, config, resolved);
    const transport = new JsonSessionTransport(randomUUID());
    const id = transport.sessionId;
    // Set before connect(): the SDK chains its own handler after ours.
    transport.onclose = () => {
      if (sessions.delete(id)) logger.info('session closed', { session: id, sessions: sessions.size });
    };
    await server.connect(transport);
    sessions.set(id, { transport, server, subject });
    logger.info('session started', { session: id, sessions: sessions.size });
    transport.receive(messages, batch, res, extra);
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

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Long-lived SSE streams would otherwise keep close() waiting forever.
        httpServer.closeAllConnections();
      });
    })();
    return closing;
  };

  return { port, host: config.host, url, close };
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

function isInitialize(message: JSONRPCMessage): boolean {
  return 'method' in message && message.method === 'initialize' && 'id' in message;
}

/** The spec has clients accept JSON and SSE; JSON is all these servers answer with. */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  return accept.split(',').some((range) => {
    const type = (range.split(';', 1)[0] ?? '').trim().toLowerCase();
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

const NO_BODY = Symbol('no body');

/**
 * Reads and parses a JSON body of at most `limit` bytes; on failure answers the request itself
 * and returns NO_BODY. A declared oversize body is refused before any of it is read; an
 * undeclared (chunked) one as soon as it passes the limit, so memory stays bounded either way.
 */
async function readJsonBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
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
  const text = await new Promise<string | typeof NO_BODY>((resolve, reject) => {
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
  if (text === NO_BODY) return NO_BODY;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    sendJsonRpcError(res, 400, -32700, 'Parse error: request body is not valid JSON');
    return NO_BODY;
  }
}
