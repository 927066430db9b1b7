/**
 * A tool's own timeout (x-mcp `timeout` in OpenAPI, `timeout:` in tool specs) replaces the
 * server-wide deadline in both directions, and a longer one is not cut short by the server's
 * per-attempt timeout unless that was set apart from the deadline.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { connect, petDefinition } from './fixtures.js';

const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** Answers every request after 300 ms. */
let requests = 0;
const slow = createHttpServer((_req, res) => {
  requests++;
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 300);
});
let url = '';

function definition(timeoutMs: number): ServerDefinition {
  const def = petDefinition();
  const status = def.tools.find((t) => t.name === 'getStatus')!;
  def.tools = [{ ...status, timeoutMs }];
  return def;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
});
afterAll(async () => {
  slow.closeAllConnections();
  await new Promise<void>((resolve) => slow.close(() => resolve()));
});
beforeEach(() => {
  requests = 0;
});

describe("a tool's own timeout", () => {
  it('longer than the server deadline: the slow answer arrives, in one attempt', async () => {
    const client = await connect(definition(2000), { API_BASE_URL: url, MCP_TIMEOUT_MS: '100' });
    const r = (await client.callTool({ name: 'getStatus', arguments: { code: '200' } })) as CallToolResult;
    expect(r.isError, text(r)).toBeFalsy();
    expect(requests).toBe(1);
    await client.close();
  });

  it('an attempt timeout set apart from the deadline still bounds each attempt', async () => {
    const client = await connect(definition(2000), {
      API_BASE_URL: url,
      MCP_TIMEOUT_MS: '100',
      MCP_ATTEMPT_TIMEOUT_MS: '50',
      MCP_RETRY_INITIAL_DELAY_MS: '1',
    });
    const r = (await client.callTool({ name: 'getStatus', arguments: { code: '200' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/timed out after 50 ms/);
    expect(requests).toBe(3); // every attempt was cut at 50 ms and retried
    await client.close();
  });

  it('shorter than the server deadline: the call ends at the tool timeout', async () => {
    const client = await connect(definition(100), { API_BASE_URL: url, MCP_TIMEOUT_MS: '5000' });
    const started = performance.now();
    const r = (await client.callTool({ name: 'getStatus', arguments: { code: '200' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/timed out after 100 ms/);
    expect(performance.now() - started).toBeLessThan(250);
    await client.close();
  });
});
