import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, petDefinition, petSchema, startStub } from './fixtures.js';

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('server end-to-end (in-memory MCP, loopback upstream)', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let client: Client;

  beforeAll(async () => {
    stub = await startStub();
    client = await connect(petDefinition(), { API_BASE_URL: `${stub.url}/api/`, MCP_TIMEOUT_MS: '300', PETSTORE_TOKEN: 's3cret' });
  });
  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => {
      stub.server.close(() => resolve());
      stub.server.closeAllConnections();
    });
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('lists tools with their schemas and without undefined keys', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['getPet', 'createPet', 'getStatus']);
    const getPet = tools[0];
    expect(getPet).toMatchObject({ name: 'getPet', title: 'Get a pet', description: 'Fetch one pet by id', outputSchema: petSchema });
    expect(getPet?.annotations).toEqual({ readOnlyHint: true });
    expect(tools[1]).not.toHaveProperty('annotations');
    expect(tools[1]).not.toHaveProperty('outputSchema');
  });

  it('calls the upstream with path, query, headers and auth, and returns structured content', async () => {
    const result = (await client.callTool({ name: 'getPet', arguments: { petId: 1, fields: ['name', 'tag'], trace: 'abc' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ id: 1, name: 'Rex' });
    expect(stub.requests).toHaveLength(1);
    const seen = stub.requests[0];
    expect(seen?.method).toBe('GET');
    expect(seen?.url).toBe('/api/pets/1?fields=name,tag');
    expect(seen?.headers['authorization']).toBe('Bearer s3cret');
    expect(seen?.headers['x-trace-id']).toBe('abc');
  });

  it('sends a JSON body built from properties', async () => {
    const result = (await client.callTool({ name: 'createPet', arguments: { petName: 'Rex' } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(text(result))).toEqual({ id: 7, name: 'Rex' });
    const seen = stub.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/api/pets');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['authorization']).toBeUndefined();
    expect(JSON.parse(seen?.body ?? '')).toEqual({ name: 'Rex' });
  });

  it('invalid arguments → isError, upstream never called', async () => {
    const result = (await client.callTool({ name: 'getPet', arguments: { petId: 'one' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('Invalid arguments for tool "getPet": /petId must be integer');
    const missing = (await client.callTool({ name: 'getPet', arguments: {} })) as CallToolResult;
    expect(text(missing)).toBe('Invalid arguments for tool "getPet": missing required argument "petId"');
    expect(stub.requests).toHaveLength(0);
  });

  it('path traversal and header injection are refused before any request', async () => {
    const dots = (await client.callTool({ name: 'getStatus', arguments: { code: '..' } })) as CallToolResult;
    expect(dots.isError).toBe(true);
    const crlf = (await client.callTool({ name: 'getPet', arguments: { petId: 1, trace: 'a\r\nX-Evil: 1' } })) as CallToolResult;
    expect(crlf.isError).toBe(true);
    expect(text(crlf)).toMatch(/argument "trace"/);
    expect(stub.requests).toHaveLength(0);
  });

  it('upstream 500 → isError with status and body', async () => {
    const result = (await client.callTool({ name: 'getStatus', arguments: { code: '500' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('HTTP 500 Internal Server Error: {"error":"kaput"}');
  });

  it('timeout → isError within the deadline', async () => {
    const started = Date.now();
    const result = (await client.callTool({ name: 'getStatus', arguments: { code: 'slow' } })) as CallToolResult;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.isError).toBe(true);
    expect(text(result)).toBe('upstream request timed out after 300 ms');
  });

  it('follows same-origin redirects, not cross-origin ones', async () => {
    const same = (await client.callTool({ name: 'getStatus', arguments: { code: 'redirect' } })) as CallToolResult;
    expect(text(same)).toBe('ok');
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/status/redirect', '/api/status/200']);
    const offsite = (await client.callTool({ name: 'getStatus', arguments: { code: 'offsite' } })) as CallToolResult;
    expect(offsite.isError).toBe(true);
    expect(text(offsite)).toMatch(/^HTTP 302 Found/);
  });

  it('missing credentials → sent anonymously; a 401 names the env var to set', async () => {
    const bare = await connect(petDefinition(), { API_BASE_URL: `${stub.url}/api` });
    const result = (await bare.callTool({ name: 'getPet', arguments: { petId: 401 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.headers.authorization).toBeUndefined();
    expect(text(result)).toMatch(/^HTTP 401/);
    expect(text(result)).toMatch(/set PETSTORE_TOKEN/);
    await bare.close();
  });

  it('reports server info from the definition', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'petstore', version: '1.0.0', title: 'Pet Store' });
  });

  it('client cancellation aborts the upstream request', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'getStatus', arguments: { code: 'slow' } }, undefined, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(call).rejects.toThrow();
    expect(stub.requests).toHaveLength(1);
  });

  it('unknown tool → protocol error', async () => {
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool: nope/);
  });
});

describe('server with an unreachable upstream', () => {
  it('connection refused → isError, no crash', async () => {
    const probe = createHttpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const client = await connect(petDefinition(), { API_BASE_URL: `http://127.0.0.1:${port}` });
    const result = (await client.callTool({ name: 'getStatus', arguments: { code: '200' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(`connection refused to http://127.0.0.1:${port}`);
    await client.close();
  });

  it('no base URL → isError asking for API_BASE_URL', async () => {
    const client = await connect({ ...petDefinition(), baseUrls: [] }, {});
    const result = (await client.callTool({ name: 'getStatus', arguments: { code: '200' } })) as CallToolResult;
    expect(text(result)).toMatch(/set API_BASE_URL/);
    await client.close();
  });
});
