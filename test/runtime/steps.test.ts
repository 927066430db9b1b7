/** The `http` tool kind of tool specs: templated requests on named sources, through the SDK. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { stepsBackend } from '../../src/runtime/kinds/steps.js';
import { startStub } from '../helpers/stub.js';
import type { Stub } from '../helpers/stub.js';
import { connect } from './fixtures.js';

const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

function definition(tools: ToolDefinition[]): ServerDefinition {
  return {
    formatVersion: 1,
    server: { name: 'steps', version: '1.0.0', envPrefix: 'STEPS' },
    baseUrls: [],
    auth: [{ id: 'api', type: 'bearer', env: 'API_TOKEN' }],
    sources: {
      http: {
        api: { baseUrl: 'https://unused.invalid/v1', baseUrlEnv: 'API_BASE_URL', headers: { 'X-Client': '${CLIENT_NAME:-mcp}' }, security: [['api']] },
        hang: { baseUrl: 'https://unused.invalid', baseUrlEnv: 'HANG_BASE_URL', security: [] },
      },
    },
    tools,
  };
}

const TOOLS: ToolDefinition[] = [
  {
    name: 'get_item',
    description: 'one request with every kind of value',
    inputSchema: object({ id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, note: { type: 'string' }, trace: { type: 'string' } }, ['id']),
    annotations: { readOnlyHint: true },
    binding: {
      kind: 'steps',
      steps: [
        {
          id: 'main',
          source: 'api',
          method: 'GET',
          path: '/items/${args.id}',
          query: { tag: '${args.tags}', note: '${args.note}', fixed: 1 },
          headers: { 'X-Trace': '${args.trace}' },
        },
      ],
      result: '{name: response.name}',
    },
    outputSchema: object({ name: { type: 'string' } }, ['name']),
  },
  {
    name: 'create_item',
    description: 'a JSON body, then failIf on the answer',
    inputSchema: object({ name: { type: 'string' }, count: { type: 'integer' } }, ['name']),
    annotations: {},
    binding: {
      kind: 'steps',
      steps: [
        { id: 'create', source: 'api', method: 'POST', path: '/items', body: { name: '${args.name}', count: '${args.count || `1`}' }, failIf: { when: 'response.error', message: 'refused: ${response.error}' } },
      ],
    },
  },
  {
    name: 'slow',
    description: 'a tool with its own short deadline',
    inputSchema: object({}),
    annotations: { readOnlyHint: true },
    timeoutMs: 300,
    binding: { kind: 'steps', steps: [{ id: 'main', source: 'hang', method: 'GET', path: '/slow' }] },
  },
];

describe('request steps', () => {
  let stub: Stub;
  let client: Client;
  // Accepts connections and never answers.
  const hang = createServer(() => undefined);

  beforeAll(async () => {
    stub = await startStub((req) => {
      if (req.method === 'POST') {
        const body = JSON.parse(req.body.toString('utf8')) as { name: string };
        return body.name === 'bad' ? { body: { error: 'name taken' } } : { status: 201, body: { id: 7 } };
      }
      if (req.path.startsWith('/v1/items/missing')) return { status: 404, body: { message: 'no such item' } };
      return { body: { name: 'widget', extra: true } };
    });
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    client = await connect(definition(TOOLS), { API_BASE_URL: `${stub.url}/v1`, HANG_BASE_URL: hangUrl, API_TOKEN: 'tok-123', MCP_RETRY_ATTEMPTS: '1' }, { backends: { steps: stepsBackend } });
  });
  afterAll(async () => {
    await client?.close();
    await stub?.close();
    hang.closeAllConnections();
    hang.close();
  });

  it('encodes path values as one segment, repeats arrays, drops nulls, sends source headers and auth', async () => {
    stub.reset();
    const result = await client.callTool({ name: 'get_item', arguments: { id: '../admin x', tags: ['a', 'b'], trace: 't-1' } });
    expect(result.structuredContent).toEqual({ name: 'widget' });
    const req = stub.only();
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/v1/items/..%2Fadmin%20x');
    expect(req.query).toBe('tag=a&tag=b&fixed=1');
    expect(req.headers['x-trace']).toBe('t-1');
    expect(req.headers['x-client']).toBe('mcp');
    expect(req.headers.authorization).toBe('Bearer tok-123');
  });

  it('refuses a header value with a line break before sending', async () => {
    stub.reset();
    const result = await client.callTool({ name: 'get_item', arguments: { id: '1', trace: 'a\r\nX-Injected: 1' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('line break');
    expect(stub.requests).toHaveLength(0);
  });

  it('sends a typed JSON body; a non-2xx answer is a tool error with the status', async () => {
    stub.reset();
    const created = await client.callTool({ name: 'create_item', arguments: { name: 'gizmo', count: 3 } });
    expect(created.isError).toBeFalsy();
    expect(JSON.parse(stub.only().body.toString('utf8'))).toEqual({ name: 'gizmo', count: 3 });
    expect(stub.only().headers['content-type']).toBe('application/json');
    const missing = await client.callTool({ name: 'get_item', arguments: { id: 'missing' } });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toMatch(/answered HTTP 404.*no such item/);
  });

  it('failIf turns an answer into a tool error with its message', async () => {
    const result = await client.callTool({ name: 'create_item', arguments: { name: 'bad' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('refused: name taken');
  });

  it("a tool's own timeout replaces the server-wide one", async () => {
    const started = Date.now();
    const result = await client.callTool({ name: 'slow', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
