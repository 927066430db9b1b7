import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/observe/log.js';
import { startHttpServer } from '../../src/runtime/transport/serve.js';
import type { HttpServerHandle } from '../../src/runtime/transport/serve.js';
import { petDefinition, startStub } from './fixtures.js';

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

async function openSession(port: number): Promise<string> {
  const opened = await raw(port, { headers: mcpHeaders(port), body: initialize });
  expect(opened.status).toBe(200);
  const id = opened.headers['mcp-session-id'];
  if (typeof id !== 'string') throw new Error('no session id');
  return id;
}

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

  it('GET /healthz → 200', async () => {
    const res = await raw(handle.port, { method: 'GET', path: '/healthz', headers: { host: 'pod-ip:1234' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
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
    expect(good.headers['mcp-session-id']).toBeTruthy();
  });

  it('unknown session id → 404; no session on a non-initialize request → 400', async () => {
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const unknown = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-session-id': 'does-not-exist' }), body: list });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
    const none = await raw(handle.port, { headers: mcpHeaders(handle.port), body: list });
    expect(none.status).toBe(400);
  });

  it('GET → 405: no server-initiated stream is offered (the spec allows this)', async () => {
    const get = await raw(handle.port, { method: 'GET', headers: mcpHeaders(handle.port) });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST, DELETE');
  });

  it('checks Accept, Content-Type, the JSON-RPC shape and the protocol version header', async () => {
    const notAcceptable = await raw(handle.port, { headers: mcpHeaders(handle.port, { accept: 'text/html' }), body: initialize });
    expect(notAcceptable.status).toBe(406);
    const text = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'content-type': 'text/plain' }), body: initialize });
    expect(text.status).toBe(415);
    const shapeless = await raw(handle.port, { headers: mcpHeaders(handle.port), body: JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'initialize' }) });
    expect(shapeless.status).toBe(400);
    expect(JSON.parse(shapeless.body)).toMatchObject({ error: { code: -32700 } });
    const session = await openSession(handle.port);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const old = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-session-id': session, 'mcp-protocol-version': '1999-01-01' }), body: list });
    expect(old.status).toBe(400);
    expect(old.body).toContain('Unsupported protocol version: 1999-01-01');
    const again = await raw(handle.port, { headers: mcpHeaders(handle.port, { 'mcp-session-id': session }), body: initialize });
    expect(again.status).toBe(400);
    expect(again.body).toContain('already initialized');
  });

  it('answers a batch with an array in request order, a notification with 202, and closes a session on DELETE', async () => {
    const session = await openSession(handle.port);
    const headers = mcpHeaders(handle.port, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
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
    expect(batch.headers['content-type']).toBe('application/json');
    const answers = JSON.parse(batch.body) as { id: string; result: { isError?: boolean } }[];
    expect(answers.map((a) => a.id)).toEqual(['b', 'a']);
    expect(answers[0]?.result.isError).toBeFalsy();
    const deleted = await raw(handle.port, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    const after = await raw(handle.port, { headers, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) });
    expect(after.status).toBe(404);
  });

  it('a caller who hangs up cancels the call: the upstream request is aborted', async () => {
    const session = await openSession(handle.port);
    const upstreamClosed = new Promise<boolean>((resolve) => {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        if (!req.url?.endsWith('/status/slow')) return;
        stub.server.off('request', onRequest);
        res.once('close', () => resolve(!res.writableFinished));
      };
      stub.server.on('request', onRequest);
    });
    const req = httpRequest({ host: '127.0.0.1', port: handle.port, method: 'POST', path: '/mcp', headers: mcpHeaders(handle.port, { 'mcp-session-id': session }) });
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
