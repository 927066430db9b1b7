/**
 * Contract test: the server sends the requests the spec describes, and returns what they answer.
 *
 * test/contract-cases.json was computed by mcp-gen from the spec when this project was generated:
 * per OpenAPI operation or tool-spec `http:` chain, valid arguments, the requests they must
 * produce in order (method, path, query, headers, body), the answer a stub gives each, and the
 * result those answers must produce; for a chain whose step has `failIf`, an answer that trips it
 * and the error it must give; and the examples a tool spec documents for its other tools. Here a
 * loopback stub stands in for every upstream, each tool is called through the MCP SDK Client, and
 * the stub must have received exactly those requests. If server-definition.json or src/runtime
 * drift from the spec (a renamed parameter, a step's path, a result mapping, another method), the
 * failing test names the tool.
 *
 * No credentials are configured, so no auth is added and every header the stub sees is one the
 * spec's parameters, body, steps or content negotiation put there.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';
import { backends } from '../src/backends.js';

interface ExpectedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: { json: unknown } | { text: string } | { multipart: Array<{ name: string; value: string; filename?: string; type?: string }> };
}

interface ContractCase {
  tool: string;
  title?: string;
  arguments: Record<string, unknown>;
  exchanges: Array<{ source?: string; request: ExpectedRequest; response: { json?: unknown } }>;
  result: { structuredContent: Record<string, unknown> } | { text: string } | { error: string };
  invalid?: { arguments: Record<string, unknown>; mentions: string };
}

interface ContractCases {
  requestTools: number;
  budget: number;
  cases: ContractCase[];
  skipped: Array<{ tool: string; reason: string }>;
}

interface Received {
  /** The tool-spec source whose listener it reached; undefined: the OpenAPI base URL's. */
  source: string | undefined;
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

/**
 * The upstreams: one listener for the OpenAPI base URL and one per tool-spec source, so each
 * request shows where it went. Every request is recorded as it arrived, and the n-th is answered
 * with the case's n-th answer.
 */
const received: Received[] = [];
let serving: ContractCase['exchanges'] = [];
const upstream = (source: string | undefined) =>
  http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = req.url ?? '/';
      const at = raw.indexOf('?');
      received.push({
        source,
        method: req.method ?? '',
        path: at < 0 ? raw : raw.slice(0, at),
        query: at < 0 ? '' : raw.slice(at + 1),
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const answer = serving[received.length - 1]?.response ?? {};
      if (answer.json === undefined) {
        res.writeHead(200).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      }
    });
  });
const stub = upstream(undefined);
const sourceStubs = Object.entries(definition.sources?.http ?? {}).map(([name, s]) => ({ env: s.baseUrlEnv, server: upstream(name) }));
const listeners = [stub, ...sourceStubs.map((s) => s.server)];
const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * Where the server runs: this project, or for SQL sources with a seed a temporary copy of the
 * seeds, since the SQLite database is created beside its seed at first use.
 */
const projectDir = fileURLToPath(new URL('..', import.meta.url));
const seeds = Object.values(definition.sources?.sql ?? {}).flatMap((s) => (s.seed === undefined ? [] : [s.seed]));
const runDir = seeds.length === 0 ? projectDir : mkdtempSync(path.join(os.tmpdir(), 'contract-'));
for (const seed of seeds) cpSync(path.join(projectDir, seed), path.join(runDir, seed), { recursive: true });

let client: Client;
beforeAll(async () => {
  // An explicit environment: no credentials from the shell, and one attempt per call so every
  // step of a call is exactly one request. The working directory is this folder, so an
  // mcp-config.yaml of the project's own does not change what is tested.
  const env: Record<string, string> = { API_BASE_URL: await listen(stub), MCP_RETRY_ATTEMPTS: '1', MCP_AUDIT_LOG: 'off' };
  for (const s of sourceStubs) env[s.env] = await listen(s.server);
  const config = loadConfig(definition, env, { cwd: fileURLToPath(new URL('.', import.meta.url)) });
  const server = createServer(definition, config, { backends, projectDir: runDir });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'contract-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client?.close();
  for (const server of listeners) server.closeAllConnections();
  await Promise.all(listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  if (runDir !== projectDir) rmSync(runDir, { recursive: true, force: true });
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

async function checkRequest(c: ContractCase, n: number, got: Received): Promise<void> {
  const want = c.exchanges[n]!.request;
  const at = (what: string) => (c.exchanges.length === 1 ? `${c.tool}: ${what}` : `${c.tool}: request ${n + 1}: ${what}`);
  expect(got.source, at('source')).toBe(c.exchanges[n]!.source);
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

const text = (r: CallToolResult) => r.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

describe(`${definition.server.name} contract`, () => {
  const requestTools = new Map(definition.tools.filter((t) => t.binding.kind === 'http' || t.binding.kind === 'steps').map((t) => [t.name, t]));
  const requestCases = data.cases.filter((c) => requestTools.has(c.tool));

  it(`has contract cases for ${new Set(requestCases.map((c) => c.tool)).size} of ${data.requestTools} tools that call an API (budget ${data.budget})`, () => {
    expect(data.requestTools).toBe(requestTools.size);
    // Every sampled tool has a case or a stated reason, and every case is a tool of this server.
    expect(new Set(requestCases.map((c) => c.tool)).size + data.skipped.length).toBe(Math.min(data.budget, requestTools.size));
    const names = new Set(definition.tools.map((t) => t.name));
    for (const c of data.cases) expect(names.has(c.tool), `${c.tool} is a tool of this server`).toBe(true);
  });

  for (const s of data.skipped) it.skip(`${s.tool}: no contract case, ${s.reason}`, () => {});

  for (const c of data.cases) {
    it(`${c.tool} ${c.title ?? 'sends the request of the spec and returns the served response'}`, async () => {
      serving = c.exchanges;
      const result = (await client.callTool({ name: c.tool, arguments: c.arguments })) as CallToolResult;
      expect(received.length, `${c.tool}: upstream requests`).toBe(c.exchanges.length);
      for (const [n, got] of received.entries()) await checkRequest(c, n, got);
      if ('error' in c.result) {
        expect(result.isError, `${c.tool}: a tool error is expected`).toBe(true);
        expect(text(result), `${c.tool}: error message`).toContain(c.result.error);
        return;
      }
      expect(result.isError, `${c.tool}: ${text(result)}`).toBeFalsy();
      if ('structuredContent' in c.result) expect(result.structuredContent, `${c.tool}: structured result`).toEqual(c.result.structuredContent);
      else expect(result.content, `${c.tool}: text result`).toEqual([{ type: 'text', text: c.result.text }]);
    });

    const invalid = c.invalid;
    if (invalid) {
      it(`${c.tool} refuses invalid arguments without calling the upstream`, async () => {
        serving = c.exchanges;
        const result = (await client.callTool({ name: c.tool, arguments: invalid.arguments })) as CallToolResult;
        expect(result.isError, `${c.tool}: invalid arguments must be refused`).toBe(true);
        expect(text(result), `${c.tool}: the refusal names the argument`).toContain(invalid.mentions);
        expect(received, `${c.tool}: nothing may reach the upstream`).toHaveLength(0);
      });
    }
  }
});
