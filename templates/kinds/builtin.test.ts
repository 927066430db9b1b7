/**
 * Built-in web tools never reach this machine or its network: through the MCP SDK Client, each of
 * them is pointed at a listener on 127.0.0.1 (directly and through `localhost`) and at the cloud
 * metadata address; every call must be refused and no request may arrive.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';
import { builtinBackend } from '../src/runtime/kinds/web.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;
const tools = definition.tools.filter((t) => t.binding.kind === 'builtin' && t.binding.denyPrivateNetworks);

let client: Client;
let hits = 0;
const listener = http.createServer((_req, res) => {
  hits++;
  res.end('reached');
});
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
  // No MCP_WEB_ALLOW_PRIVATE: the defaults an operator gets.
  const server = createServer(definition, loadConfig(definition, { MCP_AUDIT_LOG: 'off' }), { backends: { builtin: builtinBackend } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'builtin-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client?.close();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe(`${definition.server.name}: built-in tools stay off private networks`, () => {
  for (const tool of tools) {
    it(`${tool.name} refuses loopback and metadata addresses, and nothing arrives`, async () => {
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, 'http://169.254.169.254/latest/meta-data/']) {
        const args: Record<string, unknown> = { url };
        // http.request-style tools also need a method.
        if ((tool.inputSchema.required as string[] | undefined)?.includes('method')) args['method'] = 'GET';
        const r = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
        expect(r.isError, `${tool.name} must refuse ${url}`).toBe(true);
      }
      expect(hits).toBe(0);
    });
  }
});
