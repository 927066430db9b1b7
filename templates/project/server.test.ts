import { readFileSync } from 'node:fs';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { default as addFormats } from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;

/** Any upstream request is a test failure here: these checks must all stop before the network. */
const noNetwork = (async (input: unknown) => {
  throw new Error(`unexpected upstream request to ${String(input)}`);
}) as typeof fetch;
const noUpstream = {
  send: async (request: { url: string }) => {
    throw new Error(`unexpected upstream request to ${request.url}`);
  },
};

let client: Client;
beforeAll(async () => {
  const config = loadConfig(definition, { API_BASE_URL: 'http://127.0.0.1:9', MCP_AUDIT_LOG: 'off' });
  const server = createServer(definition, config, { fetchImpl: noNetwork, httpClient: noUpstream });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'self-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});

describe(`${definition.server.name} tools`, () => {
  // The client checks each page against the SDK's own tools/list result schema.
  it('tools/list passes the MCP SDK schema and lists every tool (following nextCursor)', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      names.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(names).toEqual(definition.tools.map((t) => t.name));
  });

  // Large APIs have thousands of schemas: compiling them all takes seconds.
  it('every input and output schema compiles (JSON Schema 2020-12)', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    for (const tool of definition.tools) {
      expect(() => ajv.compile(tool.inputSchema), tool.name).not.toThrow();
      if (tool.outputSchema) expect(() => ajv.compile(tool.outputSchema!), tool.name).not.toThrow();
    }
  }, 120_000);

  it('refuses unknown arguments before any upstream call', async () => {
    for (const tool of definition.tools) {
      const result = (await client.callTool({ name: tool.name, arguments: { __not_an_argument__: 1 } })) as CallToolResult;
      expect(result.isError, tool.name).toBe(true);
    }
  }, 120_000);
});
