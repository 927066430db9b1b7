import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, petDefinition, startStub } from './fixtures.js';

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const json = (r: CallToolResult): unknown => JSON.parse(text(r));

describe('dynamic mode (MCP_MODE=dynamic)', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

  beforeAll(async () => {
    stub = await startStub();
    client = await connect(petDefinition(), { API_BASE_URL: `${stub.url}/api`, PETSTORE_TOKEN: 't', MCP_MODE: 'dynamic' });
  });
  afterAll(async () => {
    await client.close();
    stub.server.closeAllConnections();
    stub.server.close();
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('lists only the three meta-tools, valid for the SDK', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
  });

  it('search_tools finds tools by words of their names, titles and descriptions', async () => {
    // Two first searches at once share one index build (MiniSearch loads with the first search).
    const [first, second] = await Promise.all([call('search_tools', { query: 'fetch pet' }), call('search_tools', { query: 'fetch pet' })]);
    expect(second).toEqual(first);
    const found = json(first) as { results: Array<{ name: string }> };
    expect(found.results[0]?.name).toBe('getPet');
    const byNamePart = json(await call('search_tools', { query: 'create', limit: 1 })) as { results: Array<{ name: string }> };
    expect(byNamePart.results.map((r) => r.name)).toEqual(['createPet']);
    expect(stub.requests).toHaveLength(0);
  });

  it('describe_tool returns the schema; unknown names are tool errors', async () => {
    const described = json(await call('describe_tool', { name: 'getPet' })) as { name: string; inputSchema: { type: string } };
    expect(described.name).toBe('getPet');
    expect(described.inputSchema.type).toBe('object');
    const missing = await call('describe_tool', { name: 'nope' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/search_tools/);
  });

  it('call_tool validates the arguments and calls the upstream like the tool itself', async () => {
    const bad = await call('call_tool', { name: 'getPet', arguments: { petId: 'x' } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/petId must be integer/);
    expect(stub.requests).toHaveLength(0);
    const ok = await call('call_tool', { name: 'getPet', arguments: { petId: 1 } });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ id: 1, name: 'Rex' });
    expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/pets/1']);
  });

  it('meta-tool arguments are validated too', async () => {
    const r = await call('search_tools', {});
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/query/);
  });
});
