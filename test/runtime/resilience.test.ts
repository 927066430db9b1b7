/**
 * Fault injection against loopback upstreams (127.0.0.1, port 0): retries, Retry-After,
 * deadlines, resets, bad bodies, size caps, the circuit breaker, idempotency, the bulkhead,
 * fallback base URLs, and the metrics / settings / logs resources.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { parseRetryAfter } from '../../src/runtime/upstream/resilience.js';
import { createServer } from '../../src/runtime/server.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface Upstream {
  url: string;
  /** Requests seen, with arrival time (ms, monotonic) and headers. */
  seen: Array<{ method: string; url: string; at: number; headers: IncomingMessage['headers'] }>;
  maxInFlight: number;
  handler: Handler;
  close(): Promise<void>;
}

const open: Array<{ close(): Promise<void> }> = [];

async function upstream(handler: Handler): Promise<Upstream> {
  let inFlight = 0;
  const state: Upstream = {
    url: '',
    seen: [],
    maxInFlight: 0,
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: HttpServer = createHttpServer((req, res) => {
    req.resume();
    state.seen.push({ method: req.method ?? '', url: req.url ?? '', at: performance.now(), headers: req.headers });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) inFlight--;
      done = true;
    };
    res.on('close', finish);
    state.handler(req, res, state.seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  open.push(state);
  return state;
}

/** A loopback port that was just open and is now closed: connections to it are refused. */
async function closedPortUrl(): Promise<string> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const ok: Handler = (_req, res) => json(res, 200, { ok: true });

function tool(name: string, method: 'GET' | 'POST', extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return {
    name,
    description: name,
    inputSchema: { type: 'object', properties: { key: { type: 'string' } } },
    annotations: {},
    binding: { kind: 'http', method, path: `/${name}`, parameters: [], security: [] },
    ...extra,
  };
}

function definition(baseUrls: string[] = ['https://unused.invalid']): ServerDefinition {
  return {
    formatVersion: 1,
    server: { name: 'resilient', version: '1.0.0', envPrefix: 'RESILIENT' },
    baseUrls,
    auth: [{ id: 'token', type: 'bearer', env: 'RESILIENT_TOKEN' }],
    tools: [
      tool('get', 'GET'),
      tool('post', 'POST'),
      tool('postKeyed', 'POST', {
        binding: {
          kind: 'http',
          method: 'POST',
          path: '/postKeyed',
          parameters: [{ arg: 'key', name: 'Idempotency-Key', in: 'header', style: 'simple', explode: false }],
          security: [],
        },
      }),
      tool('postIdempotent', 'POST', { annotations: { idempotentHint: true } }),
    ],
  };
}

/** Fast defaults: short back-off, short deadline. */
const FAST = { MCP_TIMEOUT_MS: '2000', MCP_RETRY_INITIAL_DELAY_MS: '5', MCP_RETRY_MAX_DELAY_MS: '20' };

async function connect(env: Record<string, string>, def = definition()): Promise<Client> {
  const server = createServer(def, loadConfig(def, { ...FAST, ...env }));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientTransport);
  open.push({ close: () => client.close() });
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function resource(client: Client, uri: string): Promise<any> {
  const result = await client.readResource({ uri });
  const first = result.contents[0] as { text: string };
  return JSON.parse(first.text);
}

/** After a fault, the same server still serves a normal call. */
async function expectHealthy(client: Client, stub: Upstream): Promise<void> {
  stub.handler = ok;
  const result = await call(client, 'get');
  expect(result.isError, text(result)).toBeFalsy();
  expect(JSON.parse(text(result))).toEqual({ ok: true });
}

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((o) => o.close()));
});

// ---------------------------------------------------------------------------------------------

describe('retries', () => {
  it('503, 503, 200 → success after 3 attempts, counted in the metrics', async () => {
    const stub = await upstream((_req, res, n) => (n < 3 ? json(res, 503, { busy: true }) : json(res, 200, { ok: true })));
    const client = await connect({ API_BASE_URL: stub.url });
    const result = await call(client, 'get');
    expect(result.isError, text(result)).toBeFalsy();
    expect(JSON.parse(text(result))).toEqual({ ok: true });
    expect(stub.seen).toHaveLength(3);
    const stats = await resource(client, 'metrics://server/stats');
    expect(stats.tools.get).toMatchObject({ calls: 1, errors: 0, retries: 2 });
    expect(stats.tools.get.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(stats.breakers).toEqual([{ origin: stub.url, state: 'closed', consecutiveFailures: 0 }]);
  });

  it('gives up after MCP_RETRY_ATTEMPTS and returns the last answer', async () => {
    const stub = await upstream((_req, res) => json(res, 502, { bad: 'gateway' }));
    const client = await connect({ API_BASE_URL: stub.url, MCP_RETRY_ATTEMPTS: '2' });
    const result = await call(client, 'get');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^HTTP 502 Bad Gateway/);
    expect(stub.seen).toHaveLength(2);
    await expectHealthy(client, stub);
  });

  it('429 with Retry-After: 1 → next attempt no earlier than 1 s later', async () => {
    const stub = await upstream((_req, res, n) => (n === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, { ok: true })));
    const client = await connect({ API_BASE_URL: stub.url, MCP_TIMEOUT_MS: '5000' });
    const result = await call(client, 'get');
    expect(result.isError, text(result)).toBeFalsy();
    expect(stub.seen).toHaveLength(2);
    expect(stub.seen[1]!.at - stub.seen[0]!.at).toBeGreaterThanOrEqual(995);
  });

  it('a Retry-After beyond the deadline returns the 429 at once instead of waiting', async () => {
    const stub = await upstream((_req, res) => json(res, 429, { slow: 'down' }, { 'retry-after': '60' }));
    const client = await connect({ API_BASE_URL: stub.url, MCP_TIMEOUT_MS: '1000' });
    const started = Date.now();
    const result = await call(client, 'get');
    expect(Date.now() - started).toBeLessThan(500);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^HTTP 429 Too Many Requests/);
    expect(stub.seen).toHaveLength(1);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('connection reset (socket destroyed) → retried; always reset → clear error, no crash', async () => {
    const stub = await upstream((req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, { ok: true })));
    const client = await connect({ API_BASE_URL: stub.url });
    const result = await call(client, 'get');
    expect(result.isError, text(result)).toBeFalsy();
    expect(stub.seen).toHaveLength(2);

    stub.handler = (req) => req.socket.destroy();
    const failed = await call(client, 'get');
    expect(failed.isError).toBe(true);
    expect(text(failed)).toMatch(/reset|socket|terminated|fetch failed/i);
    expect(stub.seen).toHaveLength(5);
    await expectHealthy(client, stub);
  });

  it('POST is not retried; POST with an Idempotency-Key (declared, generated once) or idempotentHint is', async () => {
    const stub = await upstream((_req, res) => json(res, 503, {}));
    const client = await connect({ API_BASE_URL: stub.url });

    expect((await call(client, 'post')).isError).toBe(true);
    expect(stub.seen).toHaveLength(1);

    stub.seen.length = 0;
    expect((await call(client, 'postKeyed')).isError).toBe(true);
    expect(stub.seen).toHaveLength(3);
    const keys = stub.seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);

    stub.seen.length = 0;
    await call(client, 'postKeyed', { key: 'abc-123' });
    expect(stub.seen.map((s) => s.headers['idempotency-key'])).toEqual(['abc-123', 'abc-123', 'abc-123']);

    stub.seen.length = 0;
    await call(client, 'postIdempotent');
    expect(stub.seen).toHaveLength(3);
    await expectHealthy(client, stub);
  });
});

describe('deadlines', () => {
  it('an upstream that never answers → tool error within the deadline + 10 %', async () => {
    const stub = await upstream(ok);
    const client = await connect({ API_BASE_URL: stub.url, MCP_TIMEOUT_MS: '1000' });
    // As in the emitted test: a first, normal call compiles the tool's validators (ajv's
    // meta-schema included), which happens before the deadline starts and is not what this
    // measures; it once put a cold call 59 ms past a 500 ms deadline on a loaded machine.
    await expectHealthy(client, stub);
    stub.handler = () => undefined;
    const started = Date.now();
    const result = await call(client, 'get');
    const elapsed = Date.now() - started;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('upstream request timed out after 1000 ms');
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThanOrEqual(1100);
    await expectHealthy(client, stub);
  });

  it('a per-attempt timeout retries a hung attempt within the overall deadline', async () => {
    const stub = await upstream((_req, res, n) => (n === 1 ? undefined : json(res, 200, { ok: true })));
    const client = await connect({ API_BASE_URL: stub.url, MCP_TIMEOUT_MS: '2000', MCP_ATTEMPT_TIMEOUT_MS: '150' });
    const started = Date.now();
    const result = await call(client, 'get');
    expect(result.isError, text(result)).toBeFalsy();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stub.seen).toHaveLength(2);
  });

  it('MCP request cancellation aborts the upstream request', async () => {
    let closed = false;
    const stub = await upstream((req) => req.socket.on('close', () => (closed = true)));
    const client = await connect({ API_BASE_URL: stub.url });
    const controller = new AbortController();
    const pending = client.callTool({ name: 'get', arguments: {} }, undefined, { signal: controller.signal });
    // Waited for, not slept on: on a loaded machine the request may take a while to arrive.
    await vi.waitFor(() => expect(stub.seen).toHaveLength(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(closed).toBe(true));
    expect(stub.seen).toHaveLength(1);
    await expectHealthy(client, stub);
  });
});

describe('bodies', () => {
  it('invalid JSON → isError with a clear message', async () => {
    const stub = await upstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": 1,'));
    const client = await connect({ API_BASE_URL: stub.url });
    const result = await call(client, 'get');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^The upstream response is not valid JSON although its content type is application\/json/);
    await expectHealthy(client, stub);
  });

  it('a 5 MiB text body → its first MiB and a note', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    const stub = await upstream((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(big));
    const client = await connect({ API_BASE_URL: stub.url });
    const result = await call(client, 'get');
    expect(result.isError).toBeFalsy();
    expect(result.content.at(-1)).toEqual({ type: 'text', text: '[truncated: the answer has 5242880 bytes; the first 1048576 are shown (MCP_MAX_RESPONSE_BYTES)]' });
    expect((result.content[0] as { text: string }).text).toHaveLength(1_048_576);
    await expectHealthy(client, stub);
  });

  it('a 5 MiB JSON array → valid JSON within the budget, with the kept and dropped counts', async () => {
    const items = Array.from({ length: 70_000 }, (_, id) => ({ id, name: `item ${id}`, tags: ['alpha', 'beta', 'gamma'], note: 'fine' }));
    const body = JSON.stringify(items);
    expect(body.length).toBeGreaterThan(5 * 1024 * 1024);
    const stub = await upstream((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const client = await connect({ API_BASE_URL: stub.url });
    const result = await call(client, 'get');
    expect(result.isError).toBeFalsy();
    const json = (result.content[0] as { text: string }).text;
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1_048_576);
    const kept = JSON.parse(json) as typeof items;
    expect(kept.length).toBeGreaterThan(10_000);
    expect(kept.at(-1)).toEqual(items[kept.length - 1]);
    expect((result.content[1] as { text: string }).text).toBe(
      `[truncated to fit 1048576 bytes (MCP_MAX_RESPONSE_BYTES): $: kept ${kept.length} of 70000 items (${70_000 - kept.length} dropped). Ask for a smaller page or a narrower query for the rest.]`,
    );
    await expectHealthy(client, stub);
  });

  it('a body over the read limit (16 × the budget) is cut while reading, and the connection freed', async () => {
    const big = Buffer.alloc(300 * 1024, 'b');
    const stub = await upstream((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(big));
    const client = await connect({ API_BASE_URL: stub.url, MCP_MAX_RESPONSE_BYTES: '10000' });
    const result = await call(client, 'get');
    expect(result.isError).toBeFalsy();
    expect(result.content.at(-1)).toEqual({ type: 'text', text: '[truncated: the answer is over 160000 bytes, the most this server reads (16 × MCP_MAX_RESPONSE_BYTES); the first 10000 bytes are shown]' });
    await expectHealthy(client, stub);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast without the upstream, half-opens after the cool-down, closes on success', async () => {
    const stub = await upstream((_req, res) => json(res, 503, {}));
    const client = await connect({
      API_BASE_URL: stub.url,
      MCP_RETRY_ATTEMPTS: '1',
      MCP_BREAKER_THRESHOLD: '3',
      MCP_BREAKER_COOLDOWN_MS: '400',
    });
    for (let i = 0; i < 3; i++) expect((await call(client, 'get')).isError).toBe(true);
    expect(stub.seen).toHaveLength(3);

    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await call(client, 'get');
      times.push(performance.now() - started);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(new RegExp(`^upstream ${stub.url} unavailable \\(circuit open\\), retry in 1 s$`));
    }
    expect(times.sort((a, b) => a - b)[2]).toBeLessThan(5);
    expect(stub.seen).toHaveLength(3);
    const stats = await resource(client, 'metrics://server/stats');
    expect(stats.breakers[0]).toMatchObject({ origin: stub.url, state: 'open' });
    expect(stats.tools.get).toMatchObject({ calls: 8, errors: 8 });

    // Half-open trial that fails → open again.
    await new Promise((resolve) => setTimeout(resolve, 420));
    expect((await call(client, 'get')).isError).toBe(true);
    expect(stub.seen).toHaveLength(4);
    expect(text(await call(client, 'get'))).toMatch(/circuit open/);
    expect(stub.seen).toHaveLength(4);

    // Half-open trial that succeeds → closed.
    await new Promise((resolve) => setTimeout(resolve, 420));
    await expectHealthy(client, stub);
    expect((await resource(client, 'metrics://server/stats')).breakers[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    await expectHealthy(client, stub);
    expect(stub.seen).toHaveLength(6);
  });

  it('HTTP 500 counts: threshold × 500 opens the circuit, and the next call fails fast without the upstream', async () => {
    const stub = await upstream((_req, res) => json(res, 500, { error: 'down' }));
    const client = await connect({ API_BASE_URL: stub.url, MCP_BREAKER_THRESHOLD: '3', MCP_BREAKER_COOLDOWN_MS: '60000' });
    // 500 is not retried (not known to be transient), so each call is one request.
    for (let i = 0; i < 3; i++) expect(text(await call(client, 'get'))).toMatch(/^HTTP 500/);
    expect(stub.seen).toHaveLength(3);
    expect(text(await call(client, 'get'))).toMatch(/circuit open/);
    expect(stub.seen).toHaveLength(3);
  });

  it('a 429 whose Retry-After outlasts the deadline does not open the circuit either (retries on)', async () => {
    const stub = await upstream((_req, res) => json(res, 429, {}, { 'retry-after': '60' }));
    const client = await connect({ API_BASE_URL: stub.url, MCP_TIMEOUT_MS: '1000', MCP_BREAKER_THRESHOLD: '1' });
    for (let i = 0; i < 3; i++) expect(text(await call(client, 'get'))).toMatch(/^HTTP 429/);
    expect(stub.seen).toHaveLength(3);
  });

  it.each([400, 404, 429])('client errors (%i) never open the circuit', async (status) => {
    const stub = await upstream((_req, res) => json(res, status, {}));
    const client = await connect({ API_BASE_URL: stub.url, MCP_BREAKER_THRESHOLD: '1', MCP_RETRY_ATTEMPTS: '1' });
    for (let i = 0; i < 3; i++) expect(text(await call(client, 'get'))).toMatch(new RegExp(`^HTTP ${status}`));
    expect(stub.seen).toHaveLength(3);
  });
});

describe('bulkhead', () => {
  it('20 concurrent calls with MCP_MAX_CONCURRENT=5 → never more than 5 in flight upstream, all succeed', async () => {
    const stub = await upstream((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 30));
    const client = await connect({ API_BASE_URL: stub.url, MCP_MAX_CONCURRENT: '5' });
    const results = await Promise.all(Array.from({ length: 20 }, () => call(client, 'get')));
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(stub.seen).toHaveLength(20);
    expect(stub.maxInFlight).toBe(5);
  });

  it('a full queue is a clear tool error', async () => {
    const stub = await upstream((_req, res) => setTimeout(() => json(res, 200, { ok: true }), 100));
    const client = await connect({ API_BASE_URL: stub.url, MCP_MAX_CONCURRENT: '1' });
    const results = await Promise.all(Array.from({ length: 8 }, () => call(client, 'get')));
    const rejected = results.filter((r) => r.isError);
    expect(rejected).toHaveLength(3); // 1 running + 4 queued
    expect(text(rejected[0]!)).toBe('too many concurrent tool calls: 1 running and 4 waiting (MCP_MAX_CONCURRENT); try again shortly');
    expect(stub.maxInFlight).toBe(1);
    await expectHealthy(client, stub);
  });

  it('a queued call still honours its deadline', async () => {
    const stub = await upstream(() => undefined);
    const client = await connect({ API_BASE_URL: stub.url, MCP_MAX_CONCURRENT: '1', MCP_TIMEOUT_MS: '300' });
    const started = Date.now();
    const results = await Promise.all([call(client, 'get'), call(client, 'get')]);
    expect(Date.now() - started).toBeLessThan(450);
    expect(results.map(text)).toEqual(['upstream request timed out after 300 ms', 'upstream request timed out after 300 ms']);
    // Both deadlines fall in the same millisecond: the first call's abort frees the slot a moment
    // before the queued call's own timer fires, so whether the queued call gets a request out in
    // that moment is a race; what matters is that it ends at its deadline, not 300 ms after it.
    expect(stub.seen.length).toBeGreaterThanOrEqual(1);
  });
});

describe('fallback base URLs', () => {
  it('MCP_FALLBACK_BASE_URLS is used when the primary refuses connections, even for a POST', async () => {
    const refused = await closedPortUrl();
    const stub = await upstream((_req, res) => json(res, 200, { ok: true }));
    const client = await connect({ API_BASE_URL: refused, MCP_FALLBACK_BASE_URLS: stub.url });
    expect((await call(client, 'get')).isError).toBeFalsy();
    expect((await call(client, 'post')).isError).toBeFalsy();
    expect(stub.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /get', 'POST /post']);
  });

  it("the definition's other base URLs are fallbacks only when API_BASE_URL is not set", async () => {
    const refused = await closedPortUrl();
    const stub = await upstream((_req, res) => json(res, 200, { ok: true }));
    const def = definition([`${refused}/v1`, `${stub.url}/v1`]);

    const implicit = await connect({}, def);
    expect((await call(implicit, 'get')).isError).toBeFalsy();
    expect(stub.seen.map((s) => s.url)).toEqual(['/v1/get']);

    const pinned = await connect({ API_BASE_URL: `${refused}/v1` }, def);
    const result = await call(pinned, 'get');
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(`connection refused to ${refused}`);
    expect(stub.seen).toHaveLength(1);
  });

  it('skips a primary whose circuit is open', async () => {
    const failing = await upstream((_req, res) => json(res, 503, {}));
    const stub = await upstream((_req, res) => json(res, 200, { ok: true }));
    const client = await connect({
      API_BASE_URL: failing.url,
      MCP_FALLBACK_BASE_URLS: stub.url,
      MCP_RETRY_ATTEMPTS: '1',
      MCP_BREAKER_THRESHOLD: '1',
    });
    expect(text(await call(client, 'get'))).toMatch(/^HTTP 503/);
    expect((await call(client, 'get')).isError).toBeFalsy();
    expect(failing.seen).toHaveLength(1);
    expect(stub.seen).toHaveLength(1);
  });
});

describe('resources', () => {
  it('lists metrics, settings and logs; settings never show secret values', async () => {
    const stub = await upstream(ok);
    const client = await connect({ API_BASE_URL: stub.url, RESILIENT_TOKEN: 'sup3r-s3cret-value' });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['metrics://server/stats', 'config://server/settings', 'logs://server/recent']);

    await call(client, 'get');
    const settings = await resource(client, 'config://server/settings');
    expect(settings).toMatchObject({
      baseUrl: `${stub.url}/`,
      timeoutMs: 2000,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      circuitBreaker: { threshold: 5, cooldownMs: 30000 },
      maxConcurrent: 5,
      maxQueue: 20,
      auth: [{ id: 'token', type: 'bearer', env: { RESILIENT_TOKEN: 'set' } }],
    });
    const raw = (await client.readResource({ uri: 'config://server/settings' })).contents[0] as { text: string };
    expect(raw.text).not.toContain('sup3r-s3cret-value');

    const logs = await resource(client, 'logs://server/recent');
    expect(logs.at(-1)).toMatchObject({ level: 'info', msg: 'tool call', tool: 'get', status: 200 });
    await expect(client.readResource({ uri: 'nope://x' })).rejects.toThrow(/Unknown resource/);
  });
});

describe('configuration file', () => {
  const def = definition();
  const dir = () => mkdtempSync(path.join(tmpdir(), 'mcp-config-'));

  it('reads ./mcp-config.yaml; environment variables override it', () => {
    const cwd = dir();
    writeFileSync(
      path.join(cwd, 'mcp-config.yaml'),
      'timeout: 12\nmaxConcurrentTools: 7\nretry: { attempts: 4, initialDelayMs: 100, maxDelayMs: 900 }\ncircuitBreaker:\n  threshold: 9\n  cooldownMs: 1000\nmaxResponseBytes: 2048\n',
    );
    const fromFile = loadConfig(def, {}, { cwd });
    expect(fromFile).toMatchObject({
      timeoutMs: 12000,
      maxConcurrent: 7,
      maxQueue: 28,
      retry: { attempts: 4, initialDelayMs: 100, maxDelayMs: 900 },
      circuitBreaker: { threshold: 9, cooldownMs: 1000 },
      maxResponseBytes: 2048,
      configFile: path.join(cwd, 'mcp-config.yaml'),
    });
    const overridden = loadConfig(def, { MCP_TIMEOUT_MS: '500', MCP_RETRY_ATTEMPTS: '1', MCP_BREAKER_COOLDOWN_MS: '50' }, { cwd });
    expect(overridden).toMatchObject({
      timeoutMs: 500,
      attemptTimeoutMs: 500,
      retry: { attempts: 1, initialDelayMs: 100, maxDelayMs: 900 },
      circuitBreaker: { threshold: 9, cooldownMs: 50 },
    });
  });

  it('MCP_CONFIG names another file; without any file the defaults apply', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'other.yaml'), 'maxConcurrentTools: 2\n');
    expect(loadConfig(def, { MCP_CONFIG: 'other.yaml' }, { cwd }).maxConcurrent).toBe(2);
    expect(loadConfig(def, {}, { cwd })).toMatchObject({ maxConcurrent: 5, configFile: undefined, retry: { attempts: 3 } });
    expect(() => loadConfig(def, { MCP_CONFIG: 'missing.yaml' }, { cwd })).toThrow(/MCP_CONFIG file .*missing\.yaml does not exist/);
  });

  it('invalid files → one clear error naming each bad key and value', () => {
    const cwd = dir();
    const file = path.join(cwd, 'mcp-config.yaml');
    writeFileSync(file, 'timeout: soon\nretries: 3\nretry: { attempts: 0, backoff: 2 }\ncircuitBreaker: 5\n');
    let message = '';
    try {
      loadConfig(def, { MCP_MAX_CONCURRENT: 'many' }, { cwd });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('timeout must be a positive number, got "soon"');
    expect(message).toContain('unknown key "retries" (allowed: timeout, maxConcurrentTools, retry, circuitBreaker, maxResponseBytes)');
    expect(message).toContain('retry.attempts must be a positive integer, got 0');
    expect(message).toContain('unknown key "retry.backoff"');
    expect(message).toContain('circuitBreaker must be a mapping with keys threshold, cooldownMs, got 5');
    expect(message).toContain('MCP_MAX_CONCURRENT must be a positive integer, got "many"');

    writeFileSync(file, 'timeout: [1\n');
    expect(() => loadConfig(def, {}, { cwd })).toThrow(/config file .*mcp-config\.yaml is not valid YAML/);
    writeFileSync(file, '- 1\n- 2\n');
    expect(() => loadConfig(def, {}, { cwd })).toThrow(/must contain a mapping of settings, got a list/);
  });

  it('MCP_FALLBACK_BASE_URLS must be absolute URLs', () => {
    expect(() => loadConfig(def, { MCP_FALLBACK_BASE_URLS: 'http://127.0.0.1:1, /relative' })).toThrow(
      'MCP_FALLBACK_BASE_URLS must list absolute http(s) URLs, got "/relative"',
    );
  });
});
