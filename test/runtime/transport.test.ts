import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/log.js';
import { startHttpServer } from '../../src/runtime/transport.js';
import type { HttpServerHandle } from '../../src/runtime/transport.js';
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
    const get = await raw(handle.port, { method: 'GET', headers: mcpHeaders(handle.port, { 'mcp-session-id': 'nope' }) });
    expect(get.status).toBe(404);
  });

  it('body over 4 MiB → 413; invalid JSON → 400', async () => {
    const big = await raw(handle.port, { headers: mcpHeaders(handle.port), body: 'x'.repeat(4 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    const bad = await raw(handle.port, { headers: mcpHeaders(handle.port), body: '{nope' });
    expect(bad.status).toBe(400);
  });
});
