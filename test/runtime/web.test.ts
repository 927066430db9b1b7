/**
 * The built-in web tools. The only network these tests touch is 127.0.0.1 servers they start:
 * every refused destination must be refused before a socket connects, which a spy recording each
 * address handed to a socket (and, for loopback, the listener's own connection count) proves.
 * Made-up host names resolve through an injected resolver, never real DNS.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BackendContext } from '../../src/runtime/backend.js';
import { ToolError } from '../../src/runtime/backend.js';
import { loadConfig } from '../../src/runtime/config.js';
import { UpstreamError } from '../../src/runtime/upstream/http-client.js';
import type { BuiltinBinding, ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { emptyAdditions } from '../../src/runtime/upstream/auth.js';
import { createServer, resolveDeps } from '../../src/runtime/server.js';
import {
  addressRefusal,
  builtinBackend,
  checkAddress,
  createBuiltinBackend,
  createGuardedLookup,
  DestinationRefused,
  hostAllowed,
  parseAllowPrivate,
} from '../../src/runtime/kinds/web.js';
import type { Resolver } from '../../src/runtime/kinds/web.js';
import { BUILTIN_SCHEMAS, MAX_TEXT_CHARS } from '../../src/runtime/kinds/web-schemas.js';

// ---------------------------------------------------------------------------------------------
// helpers

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Site {
  origin: string;
  port: number;
  requests: Seen[];
  connections: () => number;
  close: () => Promise<void>;
}

/** A 127.0.0.1 server answering with `handler`; records requests and counts TCP connections. */
async function startSite(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Site> {
  const requests: Seen[] = [];
  let connections = 0;
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ALLOW_LOOPBACK = { MCP_WEB_ALLOW_PRIVATE: '127.0.0.1' };

function scrapeBinding(overrides: Partial<BuiltinBinding> = {}): BuiltinBinding {
  return { kind: 'builtin', name: 'web.scrape', allowHosts: [], denyPrivateNetworks: true, ...overrides };
}

function requestBinding(allowHosts: string[], overrides: Partial<BuiltinBinding> = {}): BuiltinBinding {
  return { kind: 'builtin', name: 'http.request', allowHosts, denyPrivateNetworks: true, ...overrides };
}

function toolFor(name: string, binding: BuiltinBinding): ToolDefinition & { binding: BuiltinBinding } {
  const defaults = BUILTIN_SCHEMAS[binding.name];
  return { name, description: name, inputSchema: defaults.input, outputSchema: defaults.output, annotations: defaults.annotations, binding };
}

function webDefinition(tools: ToolDefinition[]): ServerDefinition {
  return { formatVersion: 1, server: { name: 'web', version: '1.0.0', envPrefix: 'WEB' }, baseUrls: [], auth: [], tools };
}

interface CallOptions {
  env?: Record<string, string>;
  resolve?: Resolver;
  signal?: AbortSignal;
  /** The server's HTTP client, when not the resilient one resolveDeps builds. */
  http?: BackendContext['http'];
}

/** Calls the executor directly, the way server.ts does, with a hand-made context. */
function run(binding: BuiltinBinding, args: Record<string, unknown>, options: CallOptions = {}): Promise<unknown> {
  const tool = toolFor('tool', binding);
  const definition = webDefinition([tool]);
  const config = loadConfig(definition, options.env ?? {});
  const deps = resolveDeps(config);
  const ctx: BackendContext = {
    definition,
    config,
    signal: options.signal ?? AbortSignal.timeout(10_000),
    deadlineAt: Date.now() + 10_000,
    logger: deps.logger,
    http: options.http ?? deps.httpClient,
    credentials: () => Promise.resolve(emptyAdditions()),
    projectDir: process.cwd(),
    report: { attempts: 0, retries: 0 },
  };
  const execute = options.resolve ? createBuiltinBackend({ resolve: options.resolve }) : builtinBackend;
  return execute(tool, args, ctx);
}

/** A resolver for made-up names; any other name fails as unknown, and every query is recorded. */
function fakeDns(names: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string) => {
    calls.push(hostname);
    const addresses = names[hostname];
    if (!addresses) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: net.isIP(address) })));
  };
  return Object.assign(resolve, { calls });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as ToolError).message;
}

/** A network failure: an UpstreamError, so the resilient client retries it and the breaker counts it. */
async function networkFailure(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).kind).toBe('network');
  return (err as UpstreamError).message;
}

function lookupOnce(lookup: LookupFunction, hostname: string, all: boolean): Promise<{ err: Error | null; address: unknown }> {
  return new Promise((resolve) => lookup(hostname, { all }, (err, address) => resolve({ err, address })));
}

/**
 * Records every address a socket is given to connect to: IP literals directly, and whatever the
 * lookup function it was handed answers. A refused destination must leave this list empty.
 */
function watchSockets(): string[] {
  const addresses: string[] = [];
  const connect = net.Socket.prototype.connect;
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // net.createConnection passes its already-normalised [options, callback] array.
    const first = args[0];
    const options = (Array.isArray(first) ? first[0] : first) as net.TcpNetConnectOpts;
    const lookup = options.lookup;
    if (net.isIP(options.host ?? '')) {
      addresses.push(options.host ?? '');
    } else if (lookup) {
      options.lookup = (hostname, lookupOptions, callback) =>
        lookup(hostname, lookupOptions, (err, address, family) => {
          if (!err) addresses.push(...(Array.isArray(address) ? address.map((a) => a.address) : [address]));
          callback(err, address, family);
        });
    } else {
      addresses.push(`unguarded:${options.host}`);
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  return addresses;
}
afterEach(() => vi.restoreAllMocks());

// ---------------------------------------------------------------------------------------------
// the guard, unit by unit

describe('checkAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('%s is public', (ip) => {
    expect(checkAddress(ip)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.5.4', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address (where cloud metadata services live)'],
    ['100.64.0.1', 'a carrier-grade NAT (shared) address'],
    ['0.0.0.0', 'the unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'the broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['192.0.2.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'the unspecified address'],
    ['fd12:3456::1', 'a unique local (private IPv6) address'],
    ['fe80::1', 'a link-local address (where cloud metadata services live)'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'the IPv4-mapped form of 127.0.0.1, a loopback address'],
    ['::ffff:169.254.169.254', 'the IPv4-mapped form of 169.254.169.254, a link-local address (where cloud metadata services live)'],
    ['64:ff9b::a01:203', 'the NAT64 form of 10.1.2.3, a private address'],
    ['64:ff9b:1::a01:203', 'a local-use NAT64 address'],
    ['2002:c0a8:101::1', 'the 6to4 form of 192.168.1.1, a private address'],
    ['2001:db8::1', 'a reserved address'],
    ['not-an-ip', 'not an IP address'],
  ])('%s is %s', (ip, phrase) => {
    expect(checkAddress(ip)).toBe(phrase);
  });

  it('172.15.x and 172.32.x are outside 172.16/12', () => {
    expect(checkAddress('172.15.0.1')).toBeUndefined();
    expect(checkAddress('172.32.0.1')).toBeUndefined();
  });
});

describe('hostAllowed', () => {
  const list = ['api.example.com', '*.example.org', '127.0.0.1', '::1'];
  it.each([
    ['api.example.com', true],
    ['API.Example.COM.', true],
    ['www.example.com', false],
    ['a.example.org', true],
    ['a.b.example.org', true],
    ['example.org', false],
    ['evilexample.org', false],
    ['example.org.evil.com', false],
    ['127.0.0.1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['127.0.0.2', false],
  ])('%s → %s', (host, allowed) => {
    expect(hostAllowed(host, list)).toBe(allowed);
  });

  it('matches international names in punycode either way', () => {
    expect(hostAllowed('xn--bcher-kva.example', ['bücher.example'])).toBe(true);
  });
});

describe('MCP_WEB_ALLOW_PRIVATE', () => {
  const policy = { denyPrivateNetworks: true, allowPrivate: parseAllowPrivate(' 127.0.0.1, wiki.intranet ,10.20.0.0/16,[fd00::1]') };

  it('allows listed addresses, ranges and names, and nothing else', () => {
    expect(addressRefusal(policy, 'x.test', '127.0.0.1')).toBeUndefined();
    expect(addressRefusal(policy, 'x.test', '::ffff:127.0.0.1')).toBeUndefined();
    expect(addressRefusal(policy, 'x.test', '10.20.30.40')).toBeUndefined();
    expect(addressRefusal(policy, 'x.test', 'fd00::1')).toBeUndefined();
    expect(addressRefusal(policy, 'WIKI.intranet', '10.9.9.9')).toBeUndefined();
    expect(addressRefusal(policy, 'x.test', '127.0.0.2')).toBe('a loopback address');
    expect(addressRefusal(policy, 'x.test', '10.21.0.1')).toBe('a private address');
    expect(addressRefusal(policy, 'x.test', '::1')).toBe('a loopback address');
  });

  it('does nothing when private networks are not denied', () => {
    expect(addressRefusal({ denyPrivateNetworks: false, allowPrivate: parseAllowPrivate('') }, 'x', '10.0.0.1')).toBeUndefined();
  });
});

describe('createGuardedLookup', () => {
  const policy = { denyPrivateNetworks: true, allowPrivate: parseAllowPrivate('127.0.0.1') };

  it('hands the socket only the approved addresses, in both lookup forms', async () => {
    const lookup = createGuardedLookup(policy, fakeDns({ 'mixed.test': ['10.1.2.3', '127.0.0.1', '::1'] }));
    expect(await lookupOnce(lookup, 'mixed.test', true)).toEqual({ err: null, address: [{ address: '127.0.0.1', family: 4 }] });
    expect(await lookupOnce(lookup, 'mixed.test', false)).toEqual({ err: null, address: '127.0.0.1' });
  });

  it('respects the family asked for', async () => {
    const lookup = createGuardedLookup({ ...policy, allowPrivate: parseAllowPrivate('127.0.0.1,::1') }, fakeDns({ 'two.test': ['127.0.0.1', '::1'] }));
    const answer = await new Promise((resolve) => lookup('two.test', { family: 6, all: true }, (_err, address) => resolve(address)));
    expect(answer).toEqual([{ address: '::1', family: 6 }]);
  });

  it('fails with DestinationRefused naming every refused address', async () => {
    const lookup = createGuardedLookup(policy, fakeDns({ 'inside.test': ['10.1.2.3', '169.254.169.254'] }));
    const { err } = await lookupOnce(lookup, 'inside.test', true);
    expect(err).toBeInstanceOf(DestinationRefused);
    expect(err?.message).toBe(
      'inside.test resolves only to non-public addresses: 10.1.2.3 (a private address), 169.254.169.254 (a link-local address (where cloud metadata services live))',
    );
  });

  it('passes resolver failures through', async () => {
    const { err } = await lookupOnce(createGuardedLookup(policy, fakeDns({})), 'nowhere.test', false);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});

// ---------------------------------------------------------------------------------------------
// refusals: nothing may connect

describe('refused destinations never connect', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite((_req, res) => res.end('should never be served'));
  });
  afterAll(() => site.close());

  it('refuses a listening loopback server, which sees no connection', async () => {
    const sockets = watchSockets();
    const message = await refusal(run(scrapeBinding(), { url: `${site.origin}/` }));
    expect(message).toBe(`refusing ${site.origin}/: 127.0.0.1 is a loopback address (set MCP_WEB_ALLOW_PRIVATE=127.0.0.1 to allow)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(site.connections()).toBe(0);
    expect(sockets).toEqual([]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://0.0.0.0/', '0.0.0.0 is the unspecified address'],
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://192.168.0.1:8080/admin', '192.168.0.1 is a private address'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is the IPv4-mapped form of 127.0.0.1'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'the NAT64 form of 169.254.169.254'],
    ['file:///etc/passwd', 'only http and https URLs are allowed'],
    ['ftp://ftp.example.com/file', 'only http and https URLs are allowed'],
    ['http://user:secret@example.com/', 'URLs with a user name or password are not allowed'],
  ])('refuses %s', async (url, reason) => {
    const sockets = watchSockets();
    const resolve = fakeDns({});
    const message = await refusal(run(scrapeBinding(), { url }, { resolve }));
    expect(message).toMatch(/^refusing /);
    expect(message).toContain(reason);
    expect(sockets).toEqual([]);
    expect(resolve.calls).toEqual([]);
  });

  it('refuses localhost, which resolves to loopback', async () => {
    const sockets = watchSockets();
    const message = await refusal(run(scrapeBinding(), { url: `http://localhost:${site.port}/` }));
    expect(message).toMatch(new RegExp(`^refusing http://localhost:${site.port}/: localhost resolves .*a loopback address`));
    expect(message).toContain('(set MCP_WEB_ALLOW_PRIVATE=localhost to allow)');
    expect(sockets).toEqual([]);
    expect(site.connections()).toBe(0);
  });

  it('refuses a name that resolves to a private address', async () => {
    const sockets = watchSockets();
    const resolve = fakeDns({ 'intranet.test': ['10.1.2.3'] });
    const message = await refusal(run(scrapeBinding(), { url: 'http://intranet.test/wiki' }, { resolve }));
    expect(message).toBe(
      'refusing http://intranet.test/wiki: intranet.test resolves to 10.1.2.3, a private address (set MCP_WEB_ALLOW_PRIVATE=intranet.test to allow)',
    );
    expect(resolve.calls).toEqual(['intranet.test']);
    expect(sockets).toEqual([]);
  });

  it('refuses a private address even when the host is in allowHosts', async () => {
    const sockets = watchSockets();
    const message = await refusal(run(requestBinding(['127.0.0.1']), { method: 'GET', url: `${site.origin}/` }));
    expect(message).toContain('127.0.0.1 is a loopback address');
    expect(sockets).toEqual([]);
    expect(site.connections()).toBe(0);
  });
});

describe('redirects to refused destinations', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      res.writeHead(302, { location: target }).end();
    });
  });
  afterAll(() => site.close());

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://[::1]:1/', '::1 is a loopback address'],
    ['http://internal.test/', 'internal.test resolves to 10.1.2.3, a private address'],
    ['file:///etc/passwd', 'only http and https URLs are allowed'],
  ])('refuses a redirect to %s after one request to the allowed host', async (target, reason) => {
    site.requests.length = 0;
    const sockets = watchSockets();
    const resolve = fakeDns({ 'internal.test': ['10.1.2.3'] });
    const start = `${site.origin}/go?to=${encodeURIComponent(target)}`;
    const message = await refusal(run(scrapeBinding(), { url: start }, { env: ALLOW_LOOPBACK, resolve }));
    expect(message).toContain(`(redirected from ${start})`);
    expect(message).toContain(reason);
    expect(site.requests).toHaveLength(1);
    expect(sockets).toEqual(['127.0.0.1']);
  });

  it('refuses a redirect to a host outside allowHosts', async () => {
    const message = await refusal(
      run(requestBinding(['127.0.0.1']), { method: 'GET', url: `${site.origin}/go?to=${encodeURIComponent('http://elsewhere.test/')}` }, { env: ALLOW_LOOPBACK }),
    );
    expect(message).toContain("elsewhere.test is not one of this tool's allowed hosts (127.0.0.1)");
  });
});

// ---------------------------------------------------------------------------------------------
// web.scrape against loopback pages (allowed through MCP_WEB_ALLOW_PRIVATE)

const PAGE = `<!doctype html>
<html><head><title>  The   Test Page </title><style>body { color: red }</style>
<script>var secret = "script contents";</script></head>
<body>
  <nav><a href="/about">About us</a> <a href="https://other.example/x?y=1#frag">Elsewhere</a></nav>
  <main id="main"><h1>Hello   world</h1><p>First <b>bold</b> paragraph.</p><p>Second paragraph.</p>
    <a href="sub/page.html">Relative</a>
    <a href="javascript:alert(1)">JS</a><a href="data:text/html,hi">Data</a><a href="mailto:a@b.c">Mail</a>
    <a href="/about">About again</a>
  </main>
  <noscript>Enable JavaScript</noscript><template><p>template text</p></template>
  <div hidden>hidden text</div>
  <script>document.write("more script")</script>
</body></html>`;

describe('web.scrape', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/docs/page') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'sid=1' }).end(PAGE);
      if (path === '/r1') return res.writeHead(301, { location: '/r2' }).end();
      if (path === '/r2') return res.writeHead(302, { location: `http://127.0.0.1:${site.port}/r3` }).end();
      if (path === '/r3') return res.writeHead(307, { location: 'docs/page' }).end();
      if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (path === '/gzip') return res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync('<title>Zipped</title><p>Compressed body</p>'));
      if (path === '/latin1') return res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' }).end(Buffer.from('<p>caf\xe9</p>', 'latin1'));
      if (path === '/plain') return res.writeHead(200, { 'content-type': 'text/plain' }).end('just   text\n\n\nlines');
      if (path === '/image') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(10));
      if (path === '/links') return res.writeHead(200, { 'content-type': 'text/html' }).end(Array.from({ length: 20 }, (_, i) => `<a href="/p${i}">p${i}</a>`).join(''));
      if (path === '/missing') return res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title><p>No such page</p>');
      if (path === '/huge') return streamHuge(res);
      if (path === '/deep') return res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>Deep</title>${'<div>'.repeat(20_000)}bottom${'</div>'.repeat(20_000)}`);
      if (path === '/nested') return res.writeHead(200, { 'content-type': 'text/html' }).end('<div class="c">outer <div class="c">inner <a href="/in">in</a></div></div><div>other</div>');
      if (path === '/based') return res.writeHead(200, { 'content-type': 'text/html' }).end('<head><base href="https://cdn.example/root/"></head><body><a href="page">p</a></body>');
      if (path === '/long') return res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${'word '.repeat(2_000)}</p>`.repeat(6));
      if (path === '/slow') return; // never answers
      res.writeHead(404).end();
    });
  });
  afterAll(() => site.close());

  it('returns the title, visible text without scripts, and absolute http(s) links', async () => {
    const result = await run(scrapeBinding(), { url: `${site.origin}/docs/page` }, { env: ALLOW_LOOPBACK });
    expect(result).toEqual({
      url: `${site.origin}/docs/page`,
      status: 200,
      title: 'The Test Page',
      text: 'About us Elsewhere\nHello world\nFirst bold paragraph.\nSecond paragraph.\nRelative JSDataMail About again',
      links: [
        { text: 'About us', href: `${site.origin}/about` },
        { text: 'Elsewhere', href: 'https://other.example/x?y=1#frag' },
        { text: 'Relative', href: `${site.origin}/docs/sub/page.html` },
      ],
      truncated: false,
    });
    const text = (result as { text: string }).text;
    for (const hidden of ['script contents', 'more script', 'color: red', 'Enable JavaScript', 'template text', 'hidden text']) {
      expect(text).not.toContain(hidden);
    }
  });

  it('connects only to the approved addresses of a name with mixed answers', async () => {
    const sockets = watchSockets();
    const resolve = fakeDns({ 'mixed.test': ['10.1.2.3', '127.0.0.1'] });
    const result = await run(scrapeBinding(), { url: `http://mixed.test:${site.port}/docs/page` }, { env: ALLOW_LOOPBACK, resolve });
    expect(result).toMatchObject({ status: 200, title: 'The Test Page' });
    expect(sockets).toEqual(['127.0.0.1']);
  });

  it('reaches private addresses without MCP_WEB_ALLOW_PRIVATE when the tool does not deny them', async () => {
    expect(await run(scrapeBinding({ denyPrivateNetworks: false }), { url: `${site.origin}/docs/page` })).toMatchObject({ title: 'The Test Page' });
  });

  it('says so when a name does not resolve', async () => {
    const message = await refusal(run(scrapeBinding(), { url: 'http://nowhere.test/' }, { resolve: fakeDns({}) }));
    expect(message).toBe('could not reach http://nowhere.test: nowhere.test does not resolve');
  });

  it('sends a User-Agent and no cookies or credentials', async () => {
    site.requests.length = 0;
    await run(scrapeBinding(), { url: `${site.origin}/docs/page` }, { env: { ...ALLOW_LOOPBACK, WEB_TOKEN: 'secret' } });
    const headers = site.requests[0]?.headers ?? {};
    expect(headers['user-agent']).toBe('web/1.0.0 (MCP server; built with mcp-gen)');
    expect(headers['cookie']).toBeUndefined();
    expect(headers['authorization']).toBeUndefined();
  });

  it('restricts text and links to a CSS selector', async () => {
    const result = (await run(scrapeBinding(), { url: `${site.origin}/docs/page`, selector: 'main p' }, { env: ALLOW_LOOPBACK })) as { text: string; links: unknown[] };
    expect(result.text).toBe('First bold paragraph.\nSecond paragraph.');
    expect(result.links).toEqual([]);
  });

  it('explains a selector that is invalid or matches nothing', async () => {
    expect(await refusal(run(scrapeBinding(), { url: `${site.origin}/docs/page`, selector: 'main[[' }, { env: ALLOW_LOOPBACK }))).toMatch(/^invalid CSS selector "main\[\["/);
    expect(await refusal(run(scrapeBinding(), { url: `${site.origin}/docs/page`, selector: '#nope' }, { env: ALLOW_LOOPBACK }))).toContain('matches nothing');
  });

  it('reports each match of a selector once, even when matches nest', async () => {
    const result = await run(scrapeBinding(), { url: `${site.origin}/nested`, selector: '.c' }, { env: ALLOW_LOOPBACK });
    expect(result).toMatchObject({ text: 'outer\ninner in', links: [{ text: 'in', href: `${site.origin}/in` }] });
  });

  it('resolves links against <base href>', async () => {
    const result = await run(scrapeBinding(), { url: `${site.origin}/based` }, { env: ALLOW_LOOPBACK });
    expect(result).toMatchObject({ links: [{ text: 'p', href: 'https://cdn.example/root/page' }] });
  });

  it('reads a hostile, deeply nested page quickly and without overflowing the stack', async () => {
    const started = Date.now();
    const result = await run(scrapeBinding(), { url: `${site.origin}/deep` }, { env: ALLOW_LOOPBACK });
    expect(result).toMatchObject({ title: 'Deep', text: 'bottom' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('caps the links at max_links and says so', async () => {
    const result = (await run(scrapeBinding(), { url: `${site.origin}/links`, max_links: 5 }, { env: ALLOW_LOOPBACK })) as { links: Array<{ href: string }>; truncated: boolean };
    expect(result.links.map((l) => l.href)).toEqual([0, 1, 2, 3, 4].map((i) => `${site.origin}/p${i}`));
    expect(result.truncated).toBe(true);
  });

  it('follows a redirect chain (relative and absolute Location) and reports the final URL', async () => {
    site.requests.length = 0;
    const result = (await run(scrapeBinding(), { url: `${site.origin}/r1` }, { env: ALLOW_LOOPBACK })) as { url: string; title: string };
    expect(result.url).toBe(`${site.origin}/docs/page`);
    expect(result.title).toBe('The Test Page');
    expect(site.requests.map((r) => r.url)).toEqual(['/r1', '/r2', '/r3', '/docs/page']);
  });

  it('gives up after 5 redirects', async () => {
    site.requests.length = 0;
    const message = await refusal(run(scrapeBinding(), { url: `${site.origin}/loop` }, { env: ALLOW_LOOPBACK }));
    expect(message).toBe(`gave up after 5 redirects at ${site.origin}/loop`);
    expect(site.requests).toHaveLength(6);
  });

  it('decodes gzip and the declared charset', async () => {
    expect(await run(scrapeBinding(), { url: `${site.origin}/gzip` }, { env: ALLOW_LOOPBACK })).toMatchObject({ title: 'Zipped', text: 'Compressed body' });
    expect(await run(scrapeBinding(), { url: `${site.origin}/latin1` }, { env: ALLOW_LOOPBACK })).toMatchObject({ text: 'café' });
  });

  it('returns plain text as text, error pages with their status, and refuses binary content', async () => {
    expect(await run(scrapeBinding(), { url: `${site.origin}/plain` }, { env: ALLOW_LOOPBACK })).toMatchObject({ title: '', text: 'just text\nlines', links: [] });
    expect(await run(scrapeBinding(), { url: `${site.origin}/missing` }, { env: ALLOW_LOOPBACK })).toMatchObject({ status: 404, title: 'Not found' });
    expect(await refusal(run(scrapeBinding(), { url: `${site.origin}/image` }, { env: ALLOW_LOOPBACK }))).toContain('its content type is image/png');
  });

  it('truncates a huge page at the byte cap and hangs up', async () => {
    const result = (await run(scrapeBinding({ maxBytes: 16 * 1024 }), { url: `${site.origin}/huge` }, { env: ALLOW_LOOPBACK })) as { text: string; truncated: boolean };
    expect(result.truncated).toBe(true);
    // 16 paragraphs of 1018 characters, one per line, the last one cut short.
    expect(result.text.length).toBeGreaterThan(15 * 1018);
    expect(result.text.length).toBeLessThan(16 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hugeBytesSent).toBeLessThan(HUGE_TOTAL);
  });

  it('caps the text even when the bytes fit', async () => {
    const result = (await run(scrapeBinding(), { url: `${site.origin}/long` }, { env: ALLOW_LOOPBACK })) as { text: string; truncated: boolean };
    expect(result.text).toHaveLength(MAX_TEXT_CHARS);
    expect(result.truncated).toBe(true);
  });

  it('keeps the guard when the server was given another HTTP client: that client is never used', async () => {
    const foreign = { send: () => Promise.reject(new Error('the injected client must not send web tool requests')) };
    expect(await refusal(run(scrapeBinding(), { url: `${site.origin}/docs/page` }, { http: foreign }))).toMatch(/^refusing http:\/\/127\.0\.0\.1:\d+\/docs\/page: 127\.0\.0\.1 is a loopback address/);
    expect(await run(scrapeBinding(), { url: `${site.origin}/docs/page` }, { env: ALLOW_LOOPBACK, http: foreign })).toMatchObject({ title: 'The Test Page' });
  });

  it('reports a refused connection as a network failure, which the resilient client retries and the breaker counts', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const message = await networkFailure(run(scrapeBinding(), { url: `http://127.0.0.1:${port}/` }, { env: { ...ALLOW_LOOPBACK, MCP_RETRY_ATTEMPTS: '2', MCP_RETRY_INITIAL_DELAY_MS: '1' } }));
    expect(message).toBe(`could not reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('is cut by the deadline when the server does not answer', async () => {
    const started = Date.now();
    const err = await run(scrapeBinding(), { url: `${site.origin}/slow` }, { env: ALLOW_LOOPBACK, signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ToolError);
    // Reported as the deadline by the server (describeFailure), not as a refusal.
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).kind).toMatch(/timeout|cancelled/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** Self-signed, for secure.test, valid until 2126: certificate checks must stay on. */
const TLS = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNvbz9bhptSeL9zjB
SMYeZraFPPw3+cwH58FtkYHgAzihRANCAARuKJ/gCtsO1g7i59v4QqNC44qnjQLH
mYOxgKEEPJSFpNIKWed+Gj/NOsCIB/d1zuHwgnuSPHVVXGMdXdQgwPMc
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUdUotU0b6/dnsqvAURsNKvJZicBowCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLc2VjdXJlLnRlc3QwIBcNMjYxMTI0MTkyOTA1WhgPMjEyNjEw
MzExOTI5MDVaMBYxFDASBgNVBAMMC3NlY3VyZS50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEbiif4ArbDtYO4ufb+EKjQuOKp40Cx5mDsYChBDyUhaTSClnn
fho/zTrAiAf3dc7h8IJ7kjx1VVxjHV3UIMDzHKNrMGkwHQYDVR0OBBYEFKQF/eci
P2wAmJx79NFwP8UWQYJLMB8GA1UdIwQYMBaAFKQF/eciP2wAmJx79NFwP8UWQYJL
MA8GA1UdEwEB/wQFMAMBAf8wFgYDVR0RBA8wDYILc2VjdXJlLnRlc3QwCgYIKoZI
zj0EAwIDSAAwRQIhAJj4zoeXf6oOhNuwVD1v8HRV/Q/nd2RepT8HS6rGJzclAiAI
IAkZSne1BDd7ivQOuHuFm7V5aU2E65Jr53t5SWFAqA==
-----END CERTIFICATE-----`,
};

describe('web.scrape over https', () => {
  it('connects through the guarded lookup, sends SNI, and verifies the certificate', async () => {
    const servernames: unknown[] = [];
    let served = 0;
    const server = createHttpsServer(TLS, (_req, res) => {
      served += 1;
      res.end('secret');
    });
    server.on('tlsClientError', (_err, socket) => servernames.push((socket as unknown as { servername: unknown }).servername));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const sockets = watchSockets();
      const resolve = fakeDns({ 'secure.test': ['127.0.0.1'] });
      const message = await refusal(run(scrapeBinding(), { url: `https://secure.test:${port}/` }, { env: ALLOW_LOOPBACK, resolve }));
      // Self-signed (or, on a skewed clock, not yet valid): either way never trusted.
      expect(message).toMatch(new RegExp(`^could not reach https://secure\\.test:${port}: [A-Z_]*CERT`));
      expect(sockets).toEqual(['127.0.0.1']);
      expect(served).toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(servernames).toEqual(['secure.test']);
    } finally {
      server.close();
    }
  });
});

/** Streams ~8 MB of paragraphs, counting what the socket accepted before the client hung up. */
const HUGE_TOTAL = 8 * 1024 * 1024;
let hugeBytesSent = 0;
function streamHuge(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html' });
  hugeBytesSent = 0;
  const chunk = `<p>${'x'.repeat(1018)}</p>`; // 1 KiB
  const pump = () => {
    while (hugeBytesSent < HUGE_TOTAL && !res.destroyed) {
      hugeBytesSent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

// ---------------------------------------------------------------------------------------------
// http.request

describe('http.request', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite((req, res, body) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/see-other') return res.writeHead(303, { location: '/items/1' }).end();
      if (path === '/temporary') return res.writeHead(307, { location: '/items' }).end();
      if (path === '/away') return res.writeHead(302, { location: `http://other.test:${site.port}/items/1` }).end();
      if (path === '/text') return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      res
        .writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'set-cookie': 'sid=abc', 'x-ratelimit-remaining': '41', 'x-internal': 'no' })
        .end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: true, method: req.method, received: body }));
    });
  });
  afterAll(() => site.close());

  const allowed = () => requestBinding(['127.0.0.1', 'other.test']);

  it('sends method, path, query, headers and a JSON body, and parses the JSON answer', async () => {
    site.requests.length = 0;
    const result = await run(
      allowed(),
      {
        method: 'POST',
        url: `${site.origin}/items?existing=1`,
        query: { q: 'two words', tag: ['a', 'b'], n: 3, skip: null },
        headers: { 'X-Api-Key': 'k-123', Accept: 'application/json' },
        body: { name: 'Rex', tags: ['dog'] },
      },
      { env: ALLOW_LOOPBACK },
    );
    const seen = site.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/items?existing=1&q=two+words&tag=a&tag=b&n=3');
    expect(seen?.headers).toMatchObject({
      'x-api-key': 'k-123',
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(seen?.body ?? '')),
      'user-agent': 'web/1.0.0 (MCP server; built with mcp-gen)',
    });
    expect(seen?.headers['cookie']).toBeUndefined();
    expect(JSON.parse(seen?.body ?? '')).toEqual({ name: 'Rex', tags: ['dog'] });
    expect(result).toEqual({
      url: `${site.origin}/items?existing=1&q=two+words&tag=a&tag=b&n=3`,
      status: 201,
      headers: { 'content-type': 'application/json', 'x-ratelimit-remaining': '41' },
      body: { ok: true, method: 'POST', received: seen?.body },
      truncated: false,
    });
  });

  it('sends a string body as text and returns text answers as text', async () => {
    site.requests.length = 0;
    await run(allowed(), { method: 'PUT', url: `${site.origin}/items/1`, body: 'raw text' }, { env: ALLOW_LOOPBACK });
    expect(site.requests[0]).toMatchObject({ method: 'PUT', body: 'raw text', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(await run(allowed(), { method: 'GET', url: `${site.origin}/text` }, { env: ALLOW_LOOPBACK })).toMatchObject({ body: 'plain words' });
  });

  it('answers HEAD with an empty body', async () => {
    expect(await run(allowed(), { method: 'HEAD', url: `${site.origin}/items` }, { env: ALLOW_LOOPBACK })).toMatchObject({ status: 200, body: '' });
  });

  it('turns a POST into a GET on 303 and keeps method and body on 307', async () => {
    site.requests.length = 0;
    await run(allowed(), { method: 'POST', url: `${site.origin}/see-other`, body: { a: 1 } }, { env: ALLOW_LOOPBACK });
    expect(site.requests.map((r) => [r.method, r.url, r.body, r.headers['content-type']])).toEqual([
      ['POST', '/see-other', '{"a":1}', 'application/json'],
      ['GET', '/items/1', '', undefined],
    ]);
    site.requests.length = 0;
    await run(allowed(), { method: 'PATCH', url: `${site.origin}/temporary`, body: { a: 2 } }, { env: ALLOW_LOOPBACK });
    expect(site.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PATCH', '/temporary', '{"a":2}'],
      ['PATCH', '/items', '{"a":2}'],
    ]);
  });

  it("drops the caller's credentials when a redirect leaves the origin", async () => {
    site.requests.length = 0;
    const resolve = fakeDns({ 'other.test': ['127.0.0.1'] });
    const headers = { Authorization: 'Bearer t', 'X-Api-Key': 'k', Accept: 'application/json' };
    await run(allowed(), { method: 'GET', url: `${site.origin}/away`, headers }, { env: ALLOW_LOOPBACK, resolve });
    const seen = site.requests.map((r) => [r.url, r.headers['host'], r.headers['authorization'], r.headers['x-api-key'], r.headers['accept']]);
    expect(seen).toEqual([
      ['/away', `127.0.0.1:${site.port}`, 'Bearer t', 'k', 'application/json'],
      ['/items/1', `other.test:${site.port}`, undefined, undefined, 'application/json'],
    ]);
  });

  it('refuses hosts outside allowHosts before connecting', async () => {
    const sockets = watchSockets();
    const message = await refusal(run(requestBinding(['api.example.com']), { method: 'GET', url: `${site.origin}/items` }, { env: ALLOW_LOOPBACK }));
    expect(message).toBe(`refusing ${site.origin}/items: 127.0.0.1 is not one of this tool's allowed hosts (api.example.com)`);
    expect(sockets).toEqual([]);
  });

  it('refuses methods outside the schema even when called directly', async () => {
    expect(await refusal(run(allowed(), { method: 'TRACE', url: `${site.origin}/items` }, { env: ALLOW_LOOPBACK }))).toBe(
      'method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got "TRACE"',
    );
  });

  it('refuses everything when allowHosts is empty', async () => {
    const message = await refusal(run(requestBinding([]), { method: 'GET', url: `${site.origin}/items` }, { env: ALLOW_LOOPBACK }));
    expect(message).toContain('this tool has no allowHosts, so it may call no host');
  });

  it('lets *.domain match subdomains only', async () => {
    const resolve = fakeDns({ 'api.example.test': ['127.0.0.1'], 'example.test': ['127.0.0.1'] });
    const binding = requestBinding(['*.example.test']);
    const ok = await run(binding, { method: 'GET', url: `http://api.example.test:${site.port}/items` }, { env: ALLOW_LOOPBACK, resolve });
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    const message = await refusal(run(binding, { method: 'GET', url: `http://example.test:${site.port}/items` }, { env: ALLOW_LOOPBACK, resolve }));
    expect(message).toContain("example.test is not one of this tool's allowed hosts");
    expect(resolve.calls).toEqual(['api.example.test']);
  });

  it.each([
    [{ headers: { Host: 'internal' } }, 'the Host header cannot be set by the caller'],
    [{ headers: { Cookie: 'a=b' } }, 'the Cookie header cannot be set by the caller'],
    [{ headers: { 'Proxy-Foo': 'x' } }, 'the Proxy-Foo header cannot be set by the caller'],
    [{ headers: { 'X-Evil': 'a\r\nHost: internal' } }, 'contains a line break'],
    [{ headers: { 'Bad Name': 'x' } }, 'is not a valid header name'],
    [{ body: { a: 1 } }, 'GET requests take no body'],
  ])('refuses a malformed request %j', async (extra, reason) => {
    const sockets = watchSockets();
    const message = await refusal(run(allowed(), { method: 'GET', url: `${site.origin}/items`, ...extra }, { env: ALLOW_LOOPBACK }));
    expect(message).toContain(reason);
    expect(sockets).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// through the MCP server and SDK client

describe('built-in tools through the SDK client', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite((req, res) => {
      if (req.url === '/slow') return;
      if (req.url === '/api') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}');
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
  });
  afterAll(() => site.close());

  async function connectWeb(env: Record<string, string>): Promise<Client> {
    const definition = webDefinition([toolFor('web_scraper', scrapeBinding()), toolFor('api_client', requestBinding(['127.0.0.1']))]);
    const server = createServer(definition, loadConfig(definition, env), { backends: { builtin: builtinBackend } });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientTransport);
    return client;
  }

  const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

  it('lists both tools with their default schemas and annotations', async () => {
    const client = await connectWeb({});
    const { tools } = await client.listTools();
    // Only hints that differ from the MCP defaults are listed: api_client's are all defaults (may write, may destroy).
    expect(tools.map((t) => [t.name, t.annotations])).toEqual([
      ['web_scraper', { readOnlyHint: true }],
      ['api_client', undefined],
    ]);
    expect(tools[0]?.inputSchema).toMatchObject({ required: ['url'], additionalProperties: false });
    await client.close();
  });

  it('scrapes a page and calls an API when loopback is allowed', async () => {
    const client = await connectWeb(ALLOW_LOOPBACK);
    const page = (await client.callTool({ name: 'web_scraper', arguments: { url: `${site.origin}/`, max_links: 2 } })) as CallToolResult;
    expect(page.isError).toBeFalsy();
    expect(page.structuredContent).toMatchObject({ status: 200, title: 'The Test Page', truncated: true });
    expect((page.structuredContent as { links: unknown[] }).links).toHaveLength(2);
    const api = (await client.callTool({ name: 'api_client', arguments: { method: 'GET', url: `${site.origin}/api` } })) as CallToolResult;
    expect(api.structuredContent).toMatchObject({ status: 200, body: { answer: 42 } });
    await client.close();
  });

  it('returns refusals, bad URLs and deadlines as tool errors', async () => {
    const connections = site.connections();
    const client = await connectWeb({ MCP_TIMEOUT_MS: '300' });
    const refused = (await client.callTool({ name: 'web_scraper', arguments: { url: `${site.origin}/` } })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(`refusing ${site.origin}/: 127.0.0.1 is a loopback address (set MCP_WEB_ALLOW_PRIVATE=127.0.0.1 to allow)`);
    expect(site.connections()).toBe(connections);

    const notHttp = (await client.callTool({ name: 'web_scraper', arguments: { url: 'file:///etc/passwd' } })) as CallToolResult;
    expect(notHttp.isError).toBe(true);
    expect(textOf(notHttp)).toMatch(/^Invalid arguments for tool "web_scraper": \/url must match pattern/);
    await client.close();

    const allowed = await connectWeb({ ...ALLOW_LOOPBACK, MCP_TIMEOUT_MS: '300' });
    const slow = (await allowed.callTool({ name: 'web_scraper', arguments: { url: `${site.origin}/slow` } })) as CallToolResult;
    expect(slow.isError).toBe(true);
    expect(textOf(slow)).toBe('upstream request timed out after 300 ms');
    await allowed.close();
  });
});
