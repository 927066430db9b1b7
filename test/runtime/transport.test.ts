import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as StreamableHTTPClientTransportV2 } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/observe/log.js';
import { startHttpServer } from '../../src/runtime/transport/serve.js';
import type { HttpServerHandle } from '../../src/runtime/transport/serve.js';
import { jsonRpcAnswer as answer, petDefinition, startStub } from './fixtures.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw request so Host and Origin can be set freely (fetch forbids overriding Host). */
function raw(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/mcp', headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const mcpHeaders = (port: number, extra: Record<string, string> = {}) => ({
  host: `127.0.0.1:${port}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  ...extra,
});

describe('Streamable HTTP transport', () => {
  let handle: HttpServerHandle;
  let stub: Awaited<ReturnType<typeof startStub>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    stub = await startStub();
    const definition = petDefinition();
    const config = loadConfig(definition, {
      MCP_TRANSPORT: 'http',
      PORT: '0',
      API_BASE_URL: `${stub.url}/api`,
      PETSTORE_TOKEN: 't',
      MCP_ALLOWED_ORIGINS: 'https://app.example',
    });
    handle = await startHttpServer(definition, config, { logger: createLogger({ write: (l) => logLines.push(l) }) });
  });
  afterAll(async () => {
    await handle.close();
    await new Promise<void>((resolve) => {
      stub.server.close(() => resolve());
      stub.server.closeAllConnections();
    });
  });

  it('binds to a real port and logs the endpoint to the logger (stderr)', () => {
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/mcp`);
    expect(logLines.some((l) => (JSON.parse(l) as { msg: string }).msg === `listening on ${handle.url}`)).toBe(true);
  });

  it('serves MCP to the SDK client: list tools and call one', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(handle.url));
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['getPet', 'createPet', 'getStatus']);
    const result = (await client.callTool({ name: 'getPet', arguments: { petId: 3 } })) as CallToolResult;
    expect(result.structuredContent).toEqual({ id: 1, name: 'Rex' });
    await transport.terminateSession();
    await client.close();
  });

  it.each([
    ['pinned to 2026-07-28', { pin: '2026-07-28' }, '2026-07-28', 'modern'],
    ['auto', 'auto', '2026-07-28', 'modern'],
    ['legacy', 'legacy', '2025-11-25', 'legacy'],
  ] as const)('serves the SDK v2 client %s: lists and calls over the negotiated protocol', async (_label, mode, version, era) => {
    const client = new ClientV2({ name: 'v2-test', version: '1.0.0' }, { versionNegotiation: { mode } });
    await client.connect(new StreamableHTTPClientTransportV2(new URL(handle.url)));
    expect(client.getNegotiatedProtocolVersion()).toBe(version);
    expect(client.getProtocolEra()).toBe(era);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['getPet', 'createPet', 'getStatus']);
    const result = await client.callTool({ name: 'getPet', arguments: { petId: 3 } });
    expect(result.structuredContent).toEqual({ id: 1, name: 'Rex' });
    await client.close();
  });

  it('GET /healthz → 200 live, GET /readyz → 200 ready (whatever the Host)', async () => {
    const live = await raw(handle.port, { method: 'GET', path: '/healthz', headers: { host: 'pod-ip:1234' } });
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ status: 'ok' });
    const ready = await raw(handle.port, { method: 'GET', path: '/readyz', headers: { host: 'pod-ip:1234' } });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready' });
  });

  it('other paths → 404', async () => {
    expect((await raw(handle.port, { method: 'GET', path: '/nope', headers: { host: `localhost:${handle.port}` } })).status).toBe(404);
  });

  it('bad Host → 403 (DNS rebinding)', async () => {
    const res = await raw(handle.port, { headers: mcpHeaders(handle.port, { host: `evil.example:${handle.port}` }), body: initialize });
    expect(res.status).toBe(403);
  });

  it('bad Origin → 403, allowed Origin passes', async () => {
    const bad = await raw(handle.port, { headers: mcpHeaders(handle.port, { origin: 'https://evil.example' }), body: initialize });
    expect(bad.status).toBe(403);
    const good = await raw(handle.port, { headers: mcpHeaders(handle.port, { origin: 'https://app.example' }), body: initialize });
    expect(good.status).toBe(200);
    expect(answer(good.body).result).toMatchObject({ protocolVersion: '2025-06-18' });
  });

  it('is stateless: no session id is issued, and a request with any session id or none is answered', async () => {
    const opened = await raw(handle.port, { headers: mcpHeaders(handle.port), body: initialize });
    expect(opened.headers['mcp-session-id']).toBeUndefined();
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    // A legacy client that got its id from another replica (or another server version) keeps working.
    for (const extra of [{ 'mcp-session-id': 'from-another-replica' }, {}]) {
      const listed = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-06-18', ...extra }), body: list });
      expect(listed.status).toBe(200);
      expect((answer(listed.body).result?.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(['getPet', 'createPet', 'getStatus']);
    }
  });

  it('GET and DELETE → 405: no server-initiated stream and no session to end', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await raw(handle.port, { method, headers: mcpHeaders(handle.port) });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
    }
  });

  it('checks Accept, Content-Type, the JSON-RPC shape and the protocol version header', async () => {
    const notAcceptable = await raw(handle.port, { headers: mcpHeaders(handle.port, { accept: 'text/html' }), body: initialize });
    expect(notAcceptable.status).toBe(406);
    const text = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'content-type': 'text/plain' }), body: initialize });
    expect(text.status).toBe(415);
    const shapeless = await raw(handle.port, { headers: mcpHeaders(handle.port), body: JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'initialize' }) });
    expect(shapeless.status).toBe(400);
    expect(JSON.parse(shapeless.body)).toMatchObject({ error: { code: -32600 } });
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const old = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '1999-01-01' }), body: list });
    expect(old.status).toBe(400);
    expect(old.body).toContain('Unsupported protocol version: 1999-01-01');
    // A message the SDK would not accept (an extra key) is answered, never left hanging.
    const extra = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-06-18' }), body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', x: 1 }) });
    expect(extra.status).toBe(400);
  });

  it('answers a batch (2025-03-26) with an array in request order and a notification with 202', async () => {
    const headers = mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-03-26' });
    const note = await raw(handle.port, { headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    expect(note.status).toBe(202);
    expect(note.body).toBe('');
    const batch = await raw(handle.port, {
      headers,
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'getPet', arguments: { petId: 3 } } },
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
      ]),
    });
    expect(batch.status).toBe(200);
    // 2025-era POSTs are answered with JSON: the batch as an array, in request order.
    expect(batch.headers['content-type']).toBe('application/json');
    const answers = JSON.parse(batch.body) as Array<{ id: string; result: { isError?: boolean } }>;
    expect(answers.map((a) => a.id)).toEqual(['b', 'a']);
    expect(answers.find((a) => a.id === 'b')?.result.isError).toBeFalsy();
  });

  it('a caller who hangs up cancels the call: the upstream request is aborted', async () => {
    const upstreamClosed = new Promise<boolean>((resolve) => {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        if (!req.url?.endsWith('/status/slow')) return;
        stub.server.off('request', onRequest);
        res.once('close', () => resolve(!res.writableFinished));
      };
      stub.server.on('request', onRequest);
    });
    const req = httpRequest({ host: '127.0.0.1', port: handle.port, method: 'POST', path: '/mcp', headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-06-18' }) });
    req.on('error', () => {});
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'getStatus', arguments: { code: 'slow' } } }));
    await vi.waitFor(() => expect(stub.requests.some((r) => r.url.endsWith('/status/slow'))).toBe(true));
    const started = Date.now();
    req.destroy();
    expect(await upstreamClosed).toBe(true);
    // Well before the stub's 5 s answer.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('body over 4 MiB → 413; invalid JSON → 400', async () => {
    const big = await raw(handle.port, { headers: mcpHeaders(handle.port), body: 'x'.repeat(4 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    const bad = await raw(handle.port, { headers: mcpHeaders(handle.port), body: '{nope' });
    expect(bad.status).toBe(400);
  });
});

describe('graceful shutdown', () => {
  it('drains: /readyz answers 503 at once, a call in flight and one that still arrives are answered, then the listener closes', async () => {
    const stub = await startStub();
    const definition = petDefinition();
    const config = loadConfig(definition, { MCP_TRANSPORT: 'http', PORT: '0', API_BASE_URL: `${stub.url}/api`, PETSTORE_TOKEN: 't' });
    const handle = await startHttpServer(definition, config);
    const slowCall = (id: number) =>
      raw(handle.port, {
        headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-06-18' }),
        // The fixture's /status/delay answers after 500 ms.
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'getStatus', arguments: { code: 'delay' } } }),
      });
    try {
      const inFlight = slowCall(7);
      await vi.waitFor(() => expect(stub.requests.some((r) => r.url.endsWith('/status/delay'))).toBe(true));
      let closed = false;
      const closing = handle.close(5_000).then(() => (closed = true));
      const ready = await raw(handle.port, { method: 'GET', path: '/readyz' });
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
      expect((await raw(handle.port, { method: 'GET', path: '/healthz' })).status).toBe(200);
      // A call the balancer sent before it saw the 503 is still served, on a connection that then closes.
      const straggler = await slowCall(8);
      expect(straggler.status).toBe(200);
      expect(straggler.headers['connection']).toBe('close');
      expect(answer(straggler.body).result).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
      const answered = await inFlight;
      expect(answer(answered.body).result).toMatchObject({ content: [{ type: 'text', text: 'done' }] });
      expect(answer(answered.body).result?.isError).toBeFalsy();
      await closing;
      expect(closed).toBe(true);
      const after = await raw(handle.port, { method: 'GET', path: '/healthz' }).then(
        (res) => `answered ${res.status}`,
        (err: NodeJS.ErrnoException) => err.code,
      );
      // Refused, or reset when the client's pool reuses a connection the drain closed.
      expect(after).toMatch(/^ECONN(REFUSED|RESET)$/);
    } finally {
      await handle.close();
      stub.server.closeAllConnections();
      stub.server.close();
    }
  });

  it('cuts what still runs when the grace period is over', async () => {
    const stub = await startStub();
    const definition = petDefinition();
    const handle = await startHttpServer(definition, loadConfig(definition, { MCP_TRANSPORT: 'http', PORT: '0', API_BASE_URL: `${stub.url}/api`, PETSTORE_TOKEN: 't' }));
    try {
      const hanging = raw(handle.port, {
        headers: mcpHeaders(handle.port, { 'mcp-protocol-version': '2025-06-18' }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'getStatus', arguments: { code: 'slow' } } }),
      }).then(
        () => 'answered',
        () => 'cut',
      );
      await vi.waitFor(() => expect(stub.requests.some((r) => r.url.endsWith('/status/slow'))).toBe(true));
      const started = Date.now();
      await handle.close(300);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await hanging).toBe('cut');
    } finally {
      stub.server.closeAllConnections();
      stub.server.close();
    }
  });
});
