/**
 * Contract test: the server sends each OpenAPI operation's request exactly as the spec says.
 *
 * test/contract-cases.json was computed by mcp-gen from the spec when this project was generated:
 * per operation, valid arguments, the request they must produce (method, path, query, headers,
 * body) and a response to serve. Here a loopback stub stands in for the upstream API, each tool is
 * called through the MCP SDK Client, and the stub must have received exactly that request; the
 * served response must reach the tool result. If server-definition.json or src/runtime drift from
 * the spec (a renamed parameter, a dropped header, another method), the failing test names the tool.
 *
 * No credentials are configured, so no auth is added and every header the stub sees is one the
 * spec's parameters, body or content negotiation put there. Tools of YAML tool specs (request,
 * sql, expression, handler, builtin) have their own tests and have no cases here.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';

interface ContractCase {
  tool: string;
  arguments: Record<string, unknown>;
  request: {
    method: string;
    path: string;
    query: string;
    headers: Record<string, string>;
    body?: { json: unknown } | { text: string } | { multipart: Array<{ name: string; value: string; filename?: string; type?: string }> };
  };
  response: { json?: unknown };
  result: { structuredContent: Record<string, unknown> } | { text: string };
  invalid?: { arguments: Record<string, unknown>; mentions: string };
}

interface ContractCases {
  httpTools: number;
  budget: number;
  cases: ContractCase[];
  skipped: Array<{ tool: string; reason: string }>;
}

interface Received {
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;
const data = JSON.parse(readFileSync(new URL('./contract-cases.json', import.meta.url), 'utf8')) as ContractCases;

/**
 * Headers the HTTP client adds itself: not chosen by the server, so not part of the contract. One
 * of these that the spec does bind is still compared, since it is then in the case.
 */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'user-agent', 'accept-encoding']);

/** The upstream: records every request as it arrived and serves the current case's response. */
const received: Received[] = [];
let serving: ContractCase['response'] = {};
const stub = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = req.url ?? '/';
    const at = raw.indexOf('?');
    received.push({
      method: req.method ?? '',
      path: at < 0 ? raw : raw.slice(0, at),
      query: at < 0 ? '' : raw.slice(at + 1),
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    if (serving.json === undefined) {
      res.writeHead(200).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(serving.json));
    }
  });
});

let client: Client;
beforeAll(async () => {
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const { port } = stub.address() as AddressInfo;
  // An explicit environment: no credentials from the shell, and one attempt per call so every
  // call is exactly one request. The working directory is this folder, so an mcp-config.yaml of
  // the project's own does not change what is tested.
  const env = { API_BASE_URL: `http://127.0.0.1:${port}`, MCP_RETRY_ATTEMPTS: '1', MCP_AUDIT_LOG: 'off' };
  const config = loadConfig(definition, env, { cwd: fileURLToPath(new URL('.', import.meta.url)) });
  const server = createServer(definition, config);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'contract-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client?.close();
  stub.closeAllConnections();
  await new Promise<void>((resolve) => stub.close(() => resolve()));
});
beforeEach(() => {
  received.length = 0;
});

/** The headers the server chose: what arrived, less the HTTP client's own (unless the case expects one). */
function chosenHeaders(got: http.IncomingHttpHeaders, want: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(got)) {
    if (value === undefined || (TRANSPORT_HEADERS.has(name) && !(name in want))) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function multipartParts(got: Received): Promise<Array<{ name: string; value: string; filename?: string; type?: string }>> {
  const form = await new Response(got.body, { headers: { 'content-type': String(got.headers['content-type']) } }).formData();
  const parts: Array<{ name: string; value: string; filename?: string; type?: string }> = [];
  for (const [name, value] of form.entries()) {
    parts.push(typeof value === 'string' ? { name, value } : { name, value: await value.text(), filename: value.name, type: value.type });
  }
  return parts;
}

async function checkRequest(c: ContractCase, got: Received): Promise<void> {
  const want = c.request;
  const at = (what: string) => `${c.tool}: ${what}`;
  expect(got.method, at('method')).toBe(want.method);
  expect(got.path, at('path')).toBe(want.path);
  expect(got.query, at('query string')).toBe(want.query);
  const headers = chosenHeaders(got.headers, want.headers);
  const body = want.body;
  if (body && 'multipart' in body) {
    // The HTTP client sets the multipart content type itself, with a random boundary.
    expect(headers['content-type'], at('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    delete headers['content-type'];
  }
  expect(headers, at('headers')).toEqual(want.headers);
  if (!body) expect(got.body.length, at('no body expected')).toBe(0);
  else if ('json' in body) expect(JSON.parse(got.body.toString('utf8')), at('JSON body')).toEqual(body.json);
  else if ('text' in body) expect(got.body.toString('utf8'), at('body')).toBe(body.text);
  else expect(await multipartParts(got), at('multipart body')).toEqual(body.multipart);
}

describe(`${definition.server.name} contract`, () => {
  const httpTools = new Map(definition.tools.filter((t) => t.binding.kind === 'http').map((t) => [t.name, t]));

  it(`has contract cases for ${data.cases.length} of ${data.httpTools} OpenAPI operations (budget ${data.budget}; tool spec tools have their own tests)`, () => {
    expect(data.httpTools).toBe(httpTools.size);
    // Every sampled operation has a case or a stated reason, and every case is a tool of this server.
    expect(data.cases.length + data.skipped.length).toBe(Math.min(data.budget, httpTools.size));
    for (const c of data.cases) expect(httpTools.has(c.tool), `${c.tool} is an OpenAPI operation of this server`).toBe(true);
    expect(new Set(data.cases.map((c) => c.tool)).size).toBe(data.cases.length);
  });

  for (const s of data.skipped) it.skip(`${s.tool}: no contract case, ${s.reason}`, () => {});

  for (const c of data.cases) {
    it(`${c.tool} sends the request of the spec and returns the served response`, async () => {
      serving = c.response;
      const result = (await client.callTool({ name: c.tool, arguments: c.arguments })) as CallToolResult;
      expect(received, `${c.tool}: exactly one upstream request`).toHaveLength(1);
      await checkRequest(c, received[0]!);
      expect(result.isError, `${c.tool}: ${JSON.stringify(result.content)}`).toBeFalsy();
      if ('structuredContent' in c.result) expect(result.structuredContent, `${c.tool}: structured result`).toEqual(c.result.structuredContent);
      else expect(result.content, `${c.tool}: text result`).toEqual([{ type: 'text', text: c.result.text }]);
    });

    const invalid = c.invalid;
    if (invalid) {
      it(`${c.tool} refuses invalid arguments without calling the upstream`, async () => {
        serving = c.response;
        const result = (await client.callTool({ name: c.tool, arguments: invalid.arguments })) as CallToolResult;
        expect(result.isError, `${c.tool}: invalid arguments must be refused`).toBe(true);
        const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
        expect(text, `${c.tool}: the refusal names the argument`).toContain(invalid.mentions);
        expect(received, `${c.tool}: nothing may reach the upstream`).toHaveLength(0);
      });
    }
  }
});
