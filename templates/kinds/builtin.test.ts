/**
 * The built-in web tools, through the MCP SDK Client, against a loopback site.
 *
 * First with the defaults an operator gets: each tool pointed at a listener on 127.0.0.1
 * (directly and through `localhost`) and at the cloud metadata address must refuse, and no
 * request may arrive. Then with 127.0.0.1 allowed (MCP_WEB_ALLOW_PRIVATE, as an operator would for
 * an intranet) and the tool's allowed host names resolved to it: a page is read, a redirect on
 * the site is followed, one to a private address is refused, a host outside allowHosts is
 * refused, and the upstream faults of test/resilience.test.ts apply here too: 503s, 429 with
 * Retry-After, a hang, the circuit breaker, and a body over the tool's size cap.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { BuiltinBinding, ServerDefinition, ToolDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';
import { builtinBackend, createBuiltinBackend } from '../src/runtime/kinds/web.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;
// Each test sets the deadline it measures (MCP_TIMEOUT_MS), which a tool's own `timeout` would override.
for (const tool of definition.tools) delete tool.timeoutMs;
const tools = definition.tools.filter((t): t is ToolDefinition & { binding: BuiltinBinding } => t.binding.kind === 'builtin');

/** The site. `/fault` answers from the script first; every request is recorded. */
type Fault = { status: number; headers?: Record<string, string> } | 'hang';
let script: Fault[] = [];
const seen: Array<{ method: string; path: string; body: string; contentType: string; at: number }> = [];
let port = 0;
const PAGE = '<html><head><title>Loopback page</title><script>var secret = 1;</script></head><body><h1>Hello</h1><p>Visible text.</p><a href="/next">Next</a></body></html>';
let bigBytes = 0;

const site = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push({ method: req.method ?? '', path, body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] ?? '', at: performance.now() });
    // Every answer closes its connection, so no pooled one outlives a test.
    const close = { connection: 'close' };
    const fault = path === '/fault' ? script.shift() : undefined;
    if (fault === 'hang') return;
    if (fault) return void res.writeHead(fault.status, { ...close, ...fault.headers }).end('unavailable');
    if (path === '/moved') return void res.writeHead(302, { ...close, location: '/page' }).end();
    if (path === '/away') return void res.writeHead(302, { ...close, location: 'http://10.1.2.3/secret' }).end();
    if (path === '/data') return void res.writeHead(200, { ...close, 'content-type': 'application/json' }).end('{"ok":true,"items":[1,2]}');
    if (path === '/echo') return void res.writeHead(200, { ...close, 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString('utf8') }));
    if (path === '/big') return void res.writeHead(200, { ...close, 'content-type': 'text/plain' }).end(Buffer.alloc(bigBytes, 0x61));
    res.writeHead(200, { ...close, 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
});

/** The name a tool is pointed at: its first allowed host (resolved to the site), else 127.0.0.1. */
function hostOf(binding: BuiltinBinding): string {
  const first = binding.allowHosts[0];
  return first === undefined ? '127.0.0.1' : first.startsWith('*.') ? `www.${first.slice(2)}` : first;
}

/** Arguments of a GET of `url` for either built-in. */
const argsFor = (tool: ToolDefinition & { binding: BuiltinBinding }, url: string, extra: Record<string, unknown> = {}) =>
  tool.binding.name === 'http.request' ? { method: 'GET', url, ...extra } : { url, ...extra };

const text = (r: CallToolResult) => r.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const open: Client[] = [];

async function connectWith(env: Record<string, string>, backend = builtinBackend): Promise<Client> {
  const server = createServer(definition, loadConfig(definition, { MCP_AUDIT_LOG: 'off', ...env }), { backends: { builtin: backend } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'builtin-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  open.push(client);
  return client;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  port = (site.address() as AddressInfo).port;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
  script = [];
  seen.length = 0;
  site.closeAllConnections();
});
afterAll(async () => {
  await new Promise<void>((resolve) => site.close(() => resolve()));
});

describe(`${definition.server.name}: built-in tools stay off private networks`, () => {
  for (const tool of tools.filter((t) => t.binding.denyPrivateNetworks)) {
    it(`${tool.name} refuses loopback and metadata addresses, and nothing arrives`, async () => {
      // No MCP_WEB_ALLOW_PRIVATE: the defaults an operator gets.
      const client = await connectWith({});
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, 'http://169.254.169.254/latest/meta-data/']) {
        const r = (await client.callTool({ name: tool.name, arguments: argsFor(tool, url) })) as CallToolResult;
        expect(r.isError, `${tool.name} must refuse ${url}`).toBe(true);
      }
      expect(seen).toHaveLength(0);
    });
  }
});

for (const tool of tools) {
  const host = hostOf(tool.binding);
  const base = () => `http://${host}:${port}`;
  // Only the tool's own host name resolves, and only to the site; nothing else is looked up.
  const backend = createBuiltinBackend({
    resolve: async (name) => {
      if (name !== host) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [{ address: '127.0.0.1', family: 4 }];
    },
  });
  const connect = (env: Record<string, string> = {}) =>
    connectWith(
      {
        MCP_WEB_ALLOW_PRIVATE: '127.0.0.1',
        MCP_TIMEOUT_MS: '2000',
        MCP_RETRY_ATTEMPTS: '3',
        MCP_RETRY_INITIAL_DELAY_MS: '10',
        MCP_RETRY_MAX_DELAY_MS: '50',
        MCP_BREAKER_THRESHOLD: '3',
        MCP_BREAKER_COOLDOWN_MS: '300',
        ...env,
      },
      backend,
    );
  const call = async (client: Client, path: string, extra: Record<string, unknown> = {}) =>
    (await client.callTool({ name: tool.name, arguments: argsFor(tool, `${base()}${path}`, extra) })) as CallToolResult;
  const result = (r: CallToolResult) => r.structuredContent as Record<string, unknown>;

  describe(`${tool.name} (${tool.binding.name}) against a loopback site`, () => {
    if (tool.binding.name === 'web.scrape') {
      it('reads a page: its title, its visible text without scripts, its links made absolute', async () => {
        const r = await call(await connect(), '/page');
        expect(r.isError, text(r)).toBeFalsy();
        expect(result(r)).toMatchObject({ url: `${base()}/page`, status: 200, title: 'Loopback page', truncated: false });
        expect(result(r).text).toContain('Visible text.');
        expect(result(r).text).not.toContain('secret');
        expect(result(r).links).toEqual([{ text: 'Next', href: `${base()}/next` }]);
      });
    } else {
      it('GET returns the status, the response headers it keeps and the parsed JSON body', async () => {
        const r = await call(await connect(), '/data');
        expect(r.isError, text(r)).toBeFalsy();
        expect(result(r)).toMatchObject({ url: `${base()}/data`, status: 200, body: { ok: true, items: [1, 2] }, truncated: false });
        expect((result(r).headers as Record<string, string>)['content-type']).toBe('application/json');
      });

      it('POST sends the method and the JSON body as given', async () => {
        const r = await call(await connect(), '/echo', { method: 'POST', body: { name: 'x', n: 1 } });
        expect(r.isError, text(r)).toBeFalsy();
        expect(seen).toEqual([expect.objectContaining({ method: 'POST', path: '/echo', body: '{"name":"x","n":1}', contentType: 'application/json' })]);
      });
    }

    it('follows a redirect on the same site and reports the final URL', async () => {
      const r = await call(await connect(), '/moved');
      expect(r.isError, text(r)).toBeFalsy();
      expect(result(r)).toMatchObject({ url: `${base()}/page`, status: 200 });
      expect(seen.map((s) => s.path)).toEqual(['/moved', '/page']);
    });

    if (tool.binding.denyPrivateNetworks) {
      it('refuses a redirect to a private address it was not allowed', async () => {
        const r = await call(await connect(), '/away');
        expect(r.isError).toBe(true);
        expect(text(r)).toMatch(/refusing http:\/\/10\.1\.2\.3\/secret \(redirected from .*\/away\)/);
        expect(seen.map((s) => s.path)).toEqual(['/away']);
      });
    }

    if (tool.binding.allowHosts.length > 0) {
      it('refuses a host outside allowHosts without sending anything', async () => {
        const r = (await (await connect()).callTool({ name: tool.name, arguments: argsFor(tool, `http://127.0.0.1:${port}/page`) })) as CallToolResult;
        expect(r.isError).toBe(true);
        expect(text(r)).toMatch(/not one of this tool's allowed hosts/);
        expect(seen).toHaveLength(0);
      });
    }

    it('503, 503, 200 → the answer after 3 attempts', async () => {
      const client = await connect();
      script = [{ status: 503 }, { status: 503 }];
      const r = await call(client, '/fault');
      expect(r.isError, text(r)).toBeFalsy();
      expect(result(r).status).toBe(200);
      expect(seen.map((s) => s.path)).toEqual(['/fault', '/fault', '/fault']);
    });

    it('429 with Retry-After: 1 → the next attempt no earlier than 1 s', async () => {
      const client = await connect();
      script = [{ status: 429, headers: { 'retry-after': '1' } }];
      const r = await call(client, '/fault');
      expect(result(r).status).toBe(200);
      expect(seen).toHaveLength(2);
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(995);
    });

    it('a site that never answers → a tool error within the deadline + 10 %', async () => {
      const client = await connect({ MCP_TIMEOUT_MS: '1000' });
      script = ['hang', 'hang', 'hang'];
      const started = performance.now();
      const r = await call(client, '/fault');
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/timed out after 1000 ms/);
      expect(performance.now() - started).toBeLessThan(1100);
    });

    it('the breaker opens after 3 failed calls, fails fast without the site, half-opens after the cool-down', async () => {
      const client = await connect({ MCP_RETRY_ATTEMPTS: '1' });
      script = [{ status: 503 }, { status: 503 }, { status: 503 }];
      for (let i = 0; i < 3; i++) await call(client, '/fault');
      seen.length = 0;
      const r = await call(client, '/fault');
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/circuit open/);
      expect(seen, 'an open breaker sends nothing').toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 350));
      const trial = await call(client, '/page');
      expect(trial.isError, text(trial)).toBeFalsy();
      expect(seen).toHaveLength(1);
    });

    const cap = tool.binding.maxBytes ?? definition.config?.maxResponseBytes ?? 1024 * 1024;
    it(`a body over the ${cap}-byte cap is cut there and marked truncated`, async () => {
      bigBytes = cap + 1024 * 1024;
      const r = await call(await connect(), '/big');
      expect(r.isError, text(r)).toBeFalsy();
      expect(result(r).truncated).toBe(true);
    });
  });
}
