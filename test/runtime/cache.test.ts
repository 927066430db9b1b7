/**
 * The RFC 9111 GET cache (MCP_CACHE), against a loopback upstream that counts what reaches it:
 * freshness, ETag revalidation, no-store, Expires, Vary, MCP_CACHE=off, the metrics resource's
 * counts, and two callers with their own upstream tokens (token exchange) kept apart.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { AuditLog } from '../../src/runtime/observe/audit.js';
import { createServer } from '../../src/runtime/server.js';
import { ResponseCache } from '../../src/runtime/upstream/cache.js';
import { createHttpClient } from '../../src/runtime/upstream/http-client.js';
import { startHttpServer } from '../../src/runtime/transport/serve.js';
import { connect } from './fixtures.js';

/** What the upstream answers on each path: its headers; `status` 304 when the ETag matches. */
const ROUTES: Record<string, Record<string, string>> = {
  '/fresh': { 'cache-control': 'max-age=60' },
  '/etag': { 'cache-control': 'no-cache', etag: '"v1"' },
  '/no-store': { 'cache-control': 'no-store, max-age=60' },
  '/expires': { expires: new Date(Date.now() + 3_600_000).toUTCString(), date: new Date().toUTCString() },
  '/vary': { 'cache-control': 'max-age=60', vary: 'accept-language' },
  // What an API that serves each user their own data sends (GitHub's shape, with must-revalidate
  // so undici stores an answer to an Authorization request at all).
  '/me': { 'cache-control': 'private, max-age=60, must-revalidate' },
  '/items': { 'cache-control': 'max-age=60' },
};

interface Seen {
  path: string;
  url: URL;
  method: string;
  headers: IncomingMessage['headers'];
}
const seen: Seen[] = [];
let origin = '';

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  seen.push({ path, url, method: req.method ?? 'GET', headers: req.headers });
  if (path === '/stall') {
    // A cacheable answer that stops halfway: the client gives up on it.
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60', 'content-length': '100000' });
    res.write('['.padEnd(1_000, ' '));
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(204).end();
    return;
  }
  const headers = ROUTES[path] ?? {};
  if (headers.etag && req.headers['if-none-match'] === headers.etag) {
    res.writeHead(304, { etag: headers.etag, 'cache-control': headers['cache-control']! }).end();
    return;
  }
  const pad = 'x'.repeat(Number(url.searchParams.get('pad') ?? 0));
  const body = { path, n: seen.length, user: req.headers.authorization ?? null, lang: req.headers['accept-language'] ?? null, pad };
  res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const upstream = createHttpServer(answer);
beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => upstream.close());
beforeEach(() => {
  seen.length = 0;
});

const get = (name: string, path: string, security: string[][] = []): ToolDefinition => ({
  name,
  description: name,
  inputSchema: { type: 'object', properties: { lang: { type: 'string' } } },
  annotations: { readOnlyHint: true },
  binding: { kind: 'http', method: 'GET', path, parameters: [{ arg: 'lang', name: 'Accept-Language', in: 'header', style: 'simple', explode: false }], security },
});

const definition: ServerDefinition = {
  formatVersion: 1,
  server: { name: 'cached', version: '1.0.0', envPrefix: 'CACHED' },
  baseUrls: [],
  auth: [{ id: 'key', type: 'apiKey', in: 'header', name: 'X-Api-Key', env: 'CACHED_API_KEY' }],
  tools: [
    ...Object.keys(ROUTES).map((path) => get(path.slice(1).replace('-', '_'), path)),
    get('keyed', '/fresh', [['key']]),
    {
      name: 'by_token_argument',
      description: 'a key passed as an ordinary header argument, not a security scheme',
      inputSchema: { type: 'object', properties: { token: { type: 'string' } } },
      annotations: { readOnlyHint: true },
      binding: { kind: 'http', method: 'GET', path: '/items', parameters: [{ arg: 'token', name: 'X-Token', in: 'header', style: 'simple', explode: false }], security: [] },
    },
    {
      name: 'update_items',
      description: 'changes what /items answers',
      inputSchema: { type: 'object', properties: { token: { type: 'string' } } },
      annotations: {},
      binding: { kind: 'http', method: 'PUT', path: '/items', parameters: [{ arg: 'token', name: 'X-Token', in: 'header', style: 'simple', explode: false }], security: [] },
    },
  ],
};

const body = (result: unknown) => JSON.parse(((result as CallToolResult).content[0] as { text: string }).text) as { n: number; user: string | null; lang: string | null };
const upstreamCalls = (path: string) => seen.filter((s) => s.path === path).length;

async function stats(client: Client): Promise<{ hits: number; misses: number; revalidations: number } | 'off'> {
  const read = await client.readResource({ uri: 'metrics://server/stats' });
  return (JSON.parse((read.contents[0] as { text: string }).text) as { cache: { hits: number; misses: number; revalidations: number } | 'off' }).cache;
}

describe('GET cache (MCP_CACHE=memory, the default)', () => {
  it('max-age=60: the second call is answered from the cache; the metrics count a miss and a hit', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    const first = await client.callTool({ name: 'fresh', arguments: {} });
    const second = await client.callTool({ name: 'fresh', arguments: {} });
    expect(upstreamCalls('/fresh')).toBe(1);
    expect(body(second)).toEqual(body(first));
    expect(await stats(client)).toEqual({ hits: 1, misses: 1, revalidations: 0 });
    await client.close();
  });

  it('ETag: a stored answer is revalidated, and the 304 serves the cached body', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    const first = await client.callTool({ name: 'etag', arguments: {} });
    const second = await client.callTool({ name: 'etag', arguments: {} });
    expect(seen.map((s) => s.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    expect(second.isError).toBeFalsy();
    expect(body(second)).toEqual(body(first));
    expect(await stats(client)).toEqual({ hits: 0, misses: 1, revalidations: 1 });
    await client.close();
  });

  it('no-store: nothing is kept, even with a max-age beside it', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    const first = await client.callTool({ name: 'no_store', arguments: {} });
    const second = await client.callTool({ name: 'no_store', arguments: {} });
    expect(upstreamCalls('/no-store')).toBe(2);
    expect(body(second).n).not.toBe(body(first).n);
    await client.close();
  });

  it('Expires without Cache-Control gives freshness too', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    await client.callTool({ name: 'expires', arguments: {} });
    await client.callTool({ name: 'expires', arguments: {} });
    expect(upstreamCalls('/expires')).toBe(1);
    await client.close();
  });

  it('Vary: an answer is reused only for requests with the same varying header', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    const en = await client.callTool({ name: 'vary', arguments: { lang: 'en' } });
    const de = await client.callTool({ name: 'vary', arguments: { lang: 'de' } });
    const enAgain = await client.callTool({ name: 'vary', arguments: { lang: 'en' } });
    expect(upstreamCalls('/vary')).toBe(2);
    expect([body(en).lang, body(de).lang, body(enAgain).lang]).toEqual(['en', 'de', 'en']);
    await client.close();
  });

  it('answers to different API keys are kept apart; each key reuses its own', async () => {
    // Secrets are read at call time, so one server sees the key change between calls.
    const env: Record<string, string> = { API_BASE_URL: origin, MCP_AUDIT_LOG: 'off', CACHED_API_KEY: 'key-one' };
    const server = createServer(definition, loadConfig(definition, env));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    await client.callTool({ name: 'keyed', arguments: {} });
    env.CACHED_API_KEY = 'key-two';
    await client.callTool({ name: 'keyed', arguments: {} });
    env.CACHED_API_KEY = 'key-one';
    await client.callTool({ name: 'keyed', arguments: {} });
    expect(seen.map((s) => s.headers['x-api-key'])).toEqual(['key-one', 'key-two']);
    expect(await stats(client)).toEqual({ hits: 1, misses: 2, revalidations: 0 });
    await client.close();
  });

  it('a header argument that is not a security scheme still keeps answers apart', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    for (const token of ['alice', 'bob', 'alice']) await client.callTool({ name: 'by_token_argument', arguments: { token } });
    expect(seen.map((s) => s.headers['x-token'])).toEqual(['alice', 'bob']);
    await client.close();
  });

  it('a successful write to a URL drops what is cached for it, for every caller', async () => {
    const client = await connect(definition, { API_BASE_URL: origin });
    await client.callTool({ name: 'by_token_argument', arguments: { token: 'alice' } });
    await client.callTool({ name: 'by_token_argument', arguments: { token: 'bob' } });
    await client.callTool({ name: 'update_items', arguments: { token: 'alice' } });
    await client.callTool({ name: 'by_token_argument', arguments: { token: 'alice' } });
    await client.callTool({ name: 'by_token_argument', arguments: { token: 'bob' } });
    expect(seen.map((s) => `${s.method} ${s.headers['x-token']}`)).toEqual(['GET alice', 'GET bob', 'PUT alice', 'GET alice', 'GET bob']);
    await client.close();
  });

  it('an answer cut off mid-body is not kept and does not take the server down', async () => {
    const client = createHttpClient({ timeoutMs: 300, maxResponseBytes: 1_000_000, cache: new ResponseCache({ maxBytes: 1_000_000 }) });
    await expect(client.send({ method: 'GET', url: `${origin}/stall`, headers: {} })).rejects.toThrow(/timed out/);
    await expect(client.send({ method: 'GET', url: `${origin}/stall`, headers: {} })).rejects.toThrow(/timed out/);
    expect(upstreamCalls('/stall')).toBe(2);
    // Still serving, and still caching.
    await client.send({ method: 'GET', url: `${origin}/fresh`, headers: {} });
    await client.send({ method: 'GET', url: `${origin}/fresh`, headers: {} });
    expect(upstreamCalls('/fresh')).toBe(1);
  });

  it('MCP_CACHE=off sends every call upstream and says so in the metrics', async () => {
    const client = await connect(definition, { API_BASE_URL: origin, MCP_CACHE: 'off' });
    await client.callTool({ name: 'fresh', arguments: {} });
    await client.callTool({ name: 'fresh', arguments: {} });
    expect(upstreamCalls('/fresh')).toBe(2);
    expect(await stats(client)).toBe('off');
    await client.close();
  });

  it('refuses a cache mode it does not know, and a size that is not a positive integer', () => {
    expect(() => loadConfig(definition, { MCP_CACHE: 'redis', MCP_CACHE_MAX_BYTES: '-1' })).toThrow(/MCP_CACHE[\s\S]*memory[\s\S]*MCP_CACHE_MAX_BYTES/);
    expect(loadConfig(definition, {}).cache).toEqual({ maxBytes: 67_108_864 });
  });
});

describe('GET cache budget (MCP_CACHE_MAX_BYTES)', () => {
  it('keeps the most recently used answers within the budget, dropping the least recently used', async () => {
    const client = createHttpClient({ timeoutMs: 5_000, maxResponseBytes: 1_000_000, cache: new ResponseCache({ maxBytes: 10_000 }) });
    const fetchPath = (n: number) => client.send({ method: 'GET', url: `${origin}/fresh?pad=1000&n=${n}`, headers: {} });
    for (let n = 0; n < 30; n++) await fetchPath(n);
    expect(seen).toHaveLength(30);
    await fetchPath(29);
    await fetchPath(0);
    // 29 was among the last ~ten (1 kB each) and is served from the cache; 0 was evicted long ago.
    expect(seen).toHaveLength(31);
    expect(seen.at(-1)!.url.searchParams.get('n')).toBe('0');
  });
});

describe('GET cache with per-caller upstream tokens (token exchange)', () => {
  const SECRET = 'cache-test-secret-that-is-at-least-32-bytes';
  const AUDIENCE = 'mcp-cache-test';
  const perCaller: ServerDefinition = {
    ...definition,
    auth: [{ id: 'bearer', type: 'bearer', env: 'CACHED_TOKEN' }],
    tools: [get('me', '/me', [['bearer']])],
  };

  const sign = (sub: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));

  it("never serves one caller's private answer to another; each caller reuses their own", async () => {
    // The token endpoint trades each caller's token for `upstream-<sub>`.
    const idp = createHttpServer((req, res) => {
      let form = '';
      req.on('data', (chunk: Buffer) => (form += chunk.toString()));
      req.on('end', () => {
        const subject = new URLSearchParams(form).get('subject_token')!;
        const sub = (JSON.parse(Buffer.from(subject.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `upstream-${sub}`, token_type: 'Bearer', expires_in: 600 }));
      });
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const env = {
      MCP_TRANSPORT: 'http',
      PORT: '0',
      API_BASE_URL: origin,
      MCP_AUTH_JWT_SECRET: SECRET,
      MCP_AUTH_AUDIENCE: AUDIENCE,
      MCP_TOKEN_EXCHANGE_URL: `http://127.0.0.1:${(idp.address() as AddressInfo).port}/token`,
      MCP_TOKEN_EXCHANGE_CLIENT_ID: 'mcp',
      MCP_TOKEN_EXCHANGE_CLIENT_SECRET: 'secret',
    };
    const server = await startHttpServer(perCaller, loadConfig(perCaller, env), { audit: new AuditLog(undefined) });
    const callAs = async (sub: string) => {
      const client = new Client({ name: 'cache-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${await sign(sub)}` } } }));
      try {
        return body(await client.callTool({ name: 'me', arguments: {} }));
      } finally {
        await client.close();
      }
    };
    try {
      const frank = await callAs('frank');
      const grace = await callAs('grace');
      const frankAgain = await callAs('frank');
      expect([frank.user, grace.user, frankAgain.user]).toEqual(['Bearer upstream-frank', 'Bearer upstream-grace', 'Bearer upstream-frank']);
      expect(frankAgain.n).toBe(frank.n);
      expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer upstream-frank', 'Bearer upstream-grace']);
    } finally {
      await server.close();
      idp.close();
    }
  });
});
