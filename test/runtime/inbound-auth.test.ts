/**
 * Inbound auth on Streamable HTTP, checked on the wire: bearer JWTs (HS256 secret, PEM public key,
 * JWKS served on loopback), 401 with the protected-resource challenge, roles → tools in tools and
 * dynamic mode, an audit log without secrets, the body size limit and the per-caller rate limit.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AuditLog } from '../../src/runtime/observe/audit.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { expressionBackend } from '../../src/runtime/kinds/expression.js';
import { createLogger } from '../../src/runtime/observe/log.js';
import { startHttpServer } from '../../src/runtime/transport/serve.js';
import type { HttpServerHandle } from '../../src/runtime/transport/serve.js';
import { jsonRpcAnswer } from './fixtures.js';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'mcp-gen-test';
// Values that must never reach a log: argument values with secret-like names and an upstream key.
const PASSWORD = 'hunter2-very-secret';
const TOKEN_ARGUMENT = 'tok-argument-value-7f3a';
const API_KEY = 'sk-upstream-key-should-never-appear';

const calc = (name: string): ToolDefinition => ({
  name,
  description: name,
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string' }, password: { type: 'string' }, token: { type: 'string' } },
    required: ['expression'],
  },
  annotations: {},
  binding: { kind: 'expression', input: '${args.expression}', functions: [], constants: [], maxLength: 100 },
});

/** An upstream call that carries the API key from SECURE_API_KEY. */
const lookup: ToolDefinition = {
  name: 'a_lookup',
  description: 'look something up upstream',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  annotations: { readOnlyHint: true },
  binding: { kind: 'http', method: 'GET', path: '/lookup', parameters: [{ arg: 'q', name: 'q', in: 'query', style: 'form', explode: true }], security: [['key']] },
};

const definition: ServerDefinition = {
  formatVersion: 1,
  server: { name: 'secure', version: '1.0.0', envPrefix: 'SECURE' },
  baseUrls: [],
  auth: [{ id: 'key', type: 'apiKey', in: 'header', name: 'X-Api-Key', env: 'SECURE_API_KEY' }],
  tools: [calc('a_add'), calc('a_sub'), lookup, calc('b_admin')],
  roles: { reader: ['a_*'], admin: ['a_*', 'b_admin'] },
};
const READER_TOOLS = ['a_add', 'a_sub', 'a_lookup'];

/** Every token issued, so the logs can be searched for each of them. */
const issued: string[] = [];
async function sign(claims: Record<string, unknown>, options: { secret?: string; expires?: string; issuer?: string; audience?: string } = {}): Promise<string> {
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? 'user-1'))
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
  issued.push(token);
  return token;
}

async function connectWith(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
});
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const initialize = (url: string, headers: Record<string, string> = {}, body = INITIALIZE) =>
  fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;
/** The value an expression tool computed. */
const computed = (result: unknown) => (JSON.parse(text(result)) as { result: unknown }).result;

async function listen(server: HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('inbound JWT auth (HS256)', () => {
  let server: HttpServerHandle;
  let upstream: HttpServer;
  const upstreamSaw: IncomingHttpHeaders[] = [];
  let auditFile: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = createHttpServer((req, res) => {
      upstreamSaw.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"found":true}');
    });
    const upstreamPort = await listen(upstream);
    auditFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-gen-audit-')), 'audit.log');
    const env = {
      MCP_AUTH_JWT_SECRET: SECRET,
      MCP_AUTH_ISSUER: ISSUER,
      MCP_AUTH_AUDIENCE: AUDIENCE,
      MCP_AUDIT_LOG: auditFile,
      PORT: '0',
      API_BASE_URL: `http://127.0.0.1:${upstreamPort}`,
      SECURE_API_KEY: API_KEY,
    };
    const config = loadConfig(definition, env);
    expect(config.auditLog).toBe(auditFile);
    // The audit log comes from the configuration (MCP_AUDIT_LOG), as in a generated server.
    server = await startHttpServer(definition, config, {
      backends: { expression: expressionBackend },
      logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
    });
  });
  afterAll(async () => {
    await server?.close();
    upstream?.close();
  });

  it('no token → 401 with a challenge pointing at the protected-resource metadata, which is served', async () => {
    const response = await initialize(server.url);
    expect(response.status).toBe(401);
    const origin = new URL(server.url).origin;
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: 'Unauthorized: no bearer token' } });

    const metadata = await fetch(`${origin}/.well-known/oauth-protected-resource`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toBe('application/json');
    expect(await metadata.json()).toEqual({ resource: `${origin}/mcp`, authorization_servers: [ISSUER], bearer_methods_supported: ['header'], resource_name: 'secure' });
    // RFC 9728 §3.1: the path-suffixed form for a resource with a path.
    expect((await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
  });

  it.each([
    ['a bad signature', () => sign({ roles: ['admin'] }, { secret: 'another-secret-that-is-32-bytes-long!!' }), 'token signature does not verify'],
    ['the wrong audience', () => sign({ roles: ['admin'] }, { audience: 'someone-else' }), "token claim 'aud' is not valid"],
    ['the wrong issuer', () => sign({ roles: ['admin'] }, { issuer: 'https://evil.test' }), "token claim 'iss' is not valid"],
    ['an expired token', () => sign({ roles: ['admin'] }, { expires: '-1m' }), 'token expired'],
    ['an unsigned token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'], exp: 9e9 })).toString('base64url')}.`, 'token not accepted'],
    ['a token without expiry', async () => new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(new TextEncoder().encode(SECRET)), "token has no 'exp' claim"],
  ])('%s → 401 invalid_token', async (_name, token, reason) => {
    const response = await initialize(server.url, { authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource", error="invalid_token", error_description="/);
    expect(challenge).toContain(reason);
    // A well-formed challenge: exactly the quotes of its three quoted values (RFC 6750 §3).
    expect(challenge.match(/"/g)).toHaveLength(6);
  });

  it('a reader sees and may call only the reader tools; an admin sees all', async () => {
    const reader = await connectWith(server.url, await sign({ sub: 'alice', roles: ['reader'] }));
    expect((await reader.listTools()).tools.map((t) => t.name)).toEqual(READER_TOOLS);
    const ok = await reader.callTool({ name: 'a_add', arguments: { expression: '1 + 2', password: PASSWORD, token: TOKEN_ARGUMENT } });
    expect(ok.isError).toBeFalsy();
    expect(computed(ok)).toBe(3);
    const looked = await reader.callTool({ name: 'a_lookup', arguments: { q: 'x' } });
    expect(looked.isError, text(looked)).toBeFalsy();
    // The upstream key was really in play (so the log search below means something).
    expect(upstreamSaw.at(-1)?.['x-api-key']).toBe(API_KEY);

    const refused = await reader.callTool({ name: 'b_admin', arguments: { expression: '1' } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe(`Tool "b_admin" is not permitted: none of the caller's roles (reader) grants it. Ask for a token with a role that grants it.`);
    // A name that is no tool at all stays a protocol error.
    await expect(reader.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool: nope/);
    await reader.close();

    // The roles claim as a space-separated string (OAuth `scope` style).
    const admin = await connectWith(server.url, await sign({ sub: 'bob', roles: 'admin other' }));
    expect((await admin.listTools()).tools.map((t) => t.name)).toEqual([...READER_TOOLS, 'b_admin']);
    const result = await admin.callTool({ name: 'b_admin', arguments: { expression: '6 * 7' } });
    expect(computed(result)).toBe(42);
    await admin.close();

    const nobody = await connectWith(server.url, await sign({ sub: 'carl' }));
    expect((await nobody.listTools()).tools).toEqual([]);
    expect(text(await nobody.callTool({ name: 'a_add', arguments: { expression: '1' } }))).toMatch(/not permitted: the caller has no roles/);
    await nobody.close();
  });

  it('writes exactly one audit line per call, with names but no secret anywhere in the logs', () => {
    const audit = readFileSync(auditFile, 'utf8');
    const lines = audit.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.principal, l.tool, l.outcome])).toEqual([
      ['alice', 'a_add', 'ok'],
      ['alice', 'a_lookup', 'ok'],
      ['alice', 'b_admin', 'denied'],
      ['bob', 'b_admin', 'ok'],
      ['carl', 'a_add', 'denied'],
    ]);
    expect(lines[0]).toMatchObject({ audit: 'tool_call', arguments: ['expression', 'password', 'token'] });
    expect(Date.parse(String(lines[0]!.time))).not.toBeNaN();
    for (const line of lines) expect(typeof line.ms).toBe('number');

    const logs = logLines.join('');
    expect(logs).toContain('"msg":"tool call"'); // the log was captured at all
    expect(issued.length).toBeGreaterThan(5);
    for (const secret of [SECRET, PASSWORD, TOKEN_ARGUMENT, API_KEY, ...issued, 'eyJ']) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it('authorizes every request on its own: no session id carries a caller', async () => {
    // Stateless serving issues no session; an id a client sends anyway grants nothing.
    const list = async (token?: string) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'mcp-session-id': 'opened-by-alice-elsewhere', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
      });
      if (response.status !== 200) return response.status;
      return (jsonRpcAnswer(await response.text()).result!.tools as Array<{ name: string }>).map((t) => t.name).sort();
    };
    expect(await list()).toBe(401);
    const asReader = await list(await sign({ sub: 'alice', roles: ['reader'] }));
    const asAdmin = await list(await sign({ sub: 'mallory', roles: ['admin'] }));
    expect(asReader).not.toContain('b_admin');
    expect(asAdmin).toContain('b_admin');
  });
});

describe('inbound JWT auth (JWKS on loopback)', () => {
  let jwks: HttpServer;
  let server: HttpServerHandle;
  let privateKey: CryptoKey;
  let jwksRequests = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createHttpServer((_req, res) => {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    const port = await listen(jwks);
    const config = loadConfig(definition, { MCP_AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, MCP_AUTH_AUDIENCE: AUDIENCE, PORT: '0' });
    server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
  });
  afterAll(async () => {
    await server?.close();
    jwks?.close();
  });

  it('accepts a token signed by a key in the JWKS and refuses a token signed by another key', async () => {
    const token = await new SignJWT({ roles: ['reader'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('carol').setAudience(AUDIENCE).setExpirationTime('5m').sign(privateKey);
    const accepted = await initialize(server.url, { authorization: `Bearer ${token}` });
    expect(accepted.status).toBe(200);
    expect(jwksRequests).toBe(1);
    const client = await connectWith(server.url, token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(READER_TOOLS);
    await client.close();

    const other = (await generateKeyPair('RS256')).privateKey;
    const forged = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('eve').setAudience(AUDIENCE).setExpirationTime('5m').sign(other);
    const refused = await initialize(server.url, { authorization: `Bearer ${forged}` });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error_description="token signature does not verify"');
    // The key set is cached, not fetched per request.
    expect(jwksRequests).toBe(1);
  });
});

describe('inbound JWT auth (PEM public key)', () => {
  it('verifies EdDSA tokens against MCP_AUTH_PUBLIC_KEY written on one line with \\n', async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const pem = (await exportSPKI(pair.publicKey)).trim().replace(/\n/g, '\\n');
    const config = loadConfig(definition, { MCP_AUTH_PUBLIC_KEY: pem, MCP_AUTH_ISSUER: ISSUER, PORT: '0' });
    expect(config.inboundAuth?.key.kind).toBe('publicKey');
    const server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
    try {
      const token = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'EdDSA' }).setSubject('dora').setIssuer(ISSUER).setExpirationTime('5m').sign(pair.privateKey);
      const client = await connectWith(server.url, token);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...READER_TOOLS, 'b_admin']);
      await client.close();
      // An HS256 token made with the public key as the secret (algorithm confusion) is refused.
      const confused = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('eve').setIssuer(ISSUER).setExpirationTime('5m').sign(new TextEncoder().encode(pem));
      expect((await initialize(server.url, { authorization: `Bearer ${confused}` })).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('roles in dynamic mode', () => {
  it('search_tools, describe_tool and call_tool honour the same filter', async () => {
    const audited: string[] = [];
    const config = loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_MODE: 'dynamic', PORT: '0' });
    const server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined, (line) => audited.push(line)) });
    const reader = await connectWith(server.url, await sign({ sub: 'alice', roles: ['reader'] }));
    try {
      const found = JSON.parse(text(await reader.callTool({ name: 'search_tools', arguments: { query: 'a b add sub admin lookup' } }))) as { results: Array<{ name: string }> };
      expect(found.results.map((r) => r.name).sort()).toEqual([...READER_TOOLS].sort());

      const described = await reader.callTool({ name: 'describe_tool', arguments: { name: 'b_admin' } });
      expect(described.isError).toBe(true);
      expect(text(described)).toMatch(/^Tool "b_admin" is not permitted/);
      const called = await reader.callTool({ name: 'call_tool', arguments: { name: 'b_admin', arguments: { expression: '1' } } });
      expect(called.isError).toBe(true);
      expect(text(called)).toMatch(/^Tool "b_admin" is not permitted/);

      expect(computed(await reader.callTool({ name: 'call_tool', arguments: { name: 'a_sub', arguments: { expression: '5 - 3' } } }))).toBe(2);
      expect(audited.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => [l.principal, l.tool, l.outcome])).toEqual([
        ['alice', 'b_admin', 'denied'],
        ['alice', 'a_sub', 'ok'],
      ]);
    } finally {
      await reader.close();
      await server.close();
    }
  });
});

describe('roles and MCP App views', () => {
  it("a caller sees and reads only the views of the tools its roles grant; another's view is an unknown resource", async () => {
    const viewed: ServerDefinition = { ...definition, tools: definition.tools.map((t) => ({ ...t, outputSchema: { type: 'object' }, view: { kind: 'card' } })) };
    const config = loadConfig(viewed, { MCP_AUTH_JWT_SECRET: SECRET, PORT: '0' });
    const server = await startHttpServer(viewed, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined), views: () => import('../../src/runtime/apps/page.js') });
    try {
      const as = async (roles: string[]) => {
        const auth = { authorization: `Bearer ${await sign({ sub: 'u', roles })}`, 'mcp-protocol-version': '2025-06-18' };
        const ui = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
        const init = await initialize(server.url, auth, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: ui, clientInfo: { name: 'x', version: '1' } } }));
        const session = { ...auth, 'mcp-session-id': init.headers.get('mcp-session-id')! };
        const rpc = async (method: string, params: object) => (await (await initialize(server.url, session, JSON.stringify({ jsonrpc: '2.0', id: 2, method, params }))).json()) as { result?: Record<string, unknown>; error?: { message: string } };
        return {
          views: ((await rpc('resources/list', {})).result!.resources as Array<{ uri: string }>).map((r) => r.uri).filter((u) => u.startsWith('ui://')),
          read: (tool: string) => rpc('resources/read', { uri: `ui://secure/${tool}` }),
        };
      };
      const reader = await as(['reader']);
      expect(reader.views).toEqual(READER_TOOLS.map((t) => `ui://secure/${t}`));
      expect((await reader.read('a_add')).result?.contents).toMatchObject([{ mimeType: 'text/html;profile=mcp-app' }]);
      expect((await reader.read('b_admin')).error?.message).toMatch(/Unknown resource: ui:\/\/secure\/b_admin/);
      const admin = await as(['admin']);
      expect(admin.views).toEqual([...READER_TOOLS, 'b_admin'].map((t) => `ui://secure/${t}`));
      expect((await admin.read('b_admin')).result?.contents).toMatchObject([{ mimeType: 'text/html;profile=mcp-app' }]);
    } finally {
      await server.close();
    }
  });
});

describe('request body limit', () => {
  let server: HttpServerHandle;
  let token: string;
  beforeAll(async () => {
    const config = loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_MAX_BODY_BYTES: '2048', PORT: '0' });
    server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
    token = await sign({ sub: 'big', roles: ['reader'] });
  });
  afterAll(async () => server?.close());

  /** A JSON-RPC request padded to `bytes`, sent with Content-Length or chunked. */
  function send(bytes: number, chunked: boolean): Promise<{ status: number; body: string }> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' }, pad: '' } });
    const padded = body.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, bytes - body.length))}"`);
    const { port } = server;
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${token}`, ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(padded)) }) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      // The server may answer and close before the whole body is written.
      req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err)));
      if (chunked) for (let i = 0; i < padded.length; i += 512) req.write(padded.slice(i, i + 512));
      else req.write(padded);
      req.end();
    });
  }

  it('answers 413 for a declared body over MCP_MAX_BODY_BYTES, and for a chunked one', async () => {
    const declared = await send(64 * 1024, false);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ error: { message: 'Request body exceeds 2048 bytes (MCP_MAX_BODY_BYTES)' } });
    expect((await send(64 * 1024, true)).status).toBe(413);
    // At the limit the request is served.
    expect((await send(2048, false)).status).toBe(200);
    expect((await send(2048, true)).status).toBe(200);
  });

  it('defaults to 1 MiB', () => {
    expect(loadConfig(definition, {}).maxBodyBytes).toBe(1_048_576);
  });
});

describe('per-caller rate limit', () => {
  it('answers 429 with Retry-After past MCP_RATE_LIMIT requests a minute, per token subject', async () => {
    const config = loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_RATE_LIMIT: '3', PORT: '0' });
    const server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
    const init = async (sub: string) => initialize(server.url, { authorization: `Bearer ${await sign({ sub, roles: ['reader'] })}` });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await init('dave')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await init('dave');
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Another caller has a budget of its own.
      expect((await init('erin')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('token exchange (MCP_TOKEN_EXCHANGE_URL)', () => {
  const upstream: ServerDefinition = {
    formatVersion: 1,
    server: { name: 'pass', version: '1.0.0', envPrefix: 'PASS' },
    baseUrls: [],
    auth: [{ id: 'key', type: 'apiKey', in: 'header', name: 'X-Api-Key', env: 'PASS_API_KEY' }],
    tools: [
      {
        name: 'whoami',
        description: 'who am I upstream',
        inputSchema: { type: 'object', properties: {} },
        annotations: { readOnlyHint: true },
        binding: { kind: 'http', method: 'GET', path: '/me', parameters: [], security: [['key']] },
      },
      {
        name: 'status',
        description: 'public status',
        inputSchema: { type: 'object', properties: {} },
        annotations: { readOnlyHint: true },
        binding: { kind: 'http', method: 'GET', path: '/status', parameters: [], security: [] },
      },
    ],
  };

  interface Exchange {
    authorization: string | undefined;
    form: URLSearchParams;
  }

  /** A loopback upstream and token endpoint; `refuse` makes the endpoint answer 400 invalid_target. */
  async function rig(options: { refuse?: boolean; env?: Record<string, string> } = {}) {
    const upstreamSaw: IncomingHttpHeaders[] = [];
    const exchanges: Exchange[] = [];
    const stub = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/token') {
          const form = new URLSearchParams(body);
          exchanges.push({ authorization: req.headers.authorization, form });
          if (options.refuse) {
            res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_target","error_description":"unknown audience"}');
            return;
          }
          const answer = { access_token: `upstream-token-${exchanges.length}`, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 600 };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
          return;
        }
        upstreamSaw.push(req.headers);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    const env = {
      MCP_AUTH_JWT_SECRET: SECRET,
      MCP_AUTH_AUDIENCE: AUDIENCE,
      MCP_TRANSPORT: 'http',
      PORT: '0',
      API_BASE_URL: origin,
      PASS_API_KEY: 'server-key',
      MCP_TOKEN_EXCHANGE_URL: `${origin}/token`,
      MCP_TOKEN_EXCHANGE_CLIENT_ID: 'mcp-server',
      MCP_TOKEN_EXCHANGE_CLIENT_SECRET: 'exchange-secret',
      MCP_TOKEN_EXCHANGE_AUDIENCE: 'https://api.example.test',
      MCP_TOKEN_EXCHANGE_SCOPE: 'read:me',
      ...options.env,
    };
    const server = await startHttpServer(upstream, loadConfig(upstream, env), { audit: new AuditLog(undefined) });
    return {
      upstreamSaw,
      exchanges,
      call: async (token: string, tool = 'whoami') => {
        const client = await connectWith(server.url, token);
        try {
          return (await client.callTool({ name: tool, arguments: {} })) as CallToolResult;
        } finally {
          await client.close();
        }
      },
      close: async () => {
        await server.close();
        stub.close();
      },
    };
  }

  it("sends upstream a token traded for the caller's, never the caller's token or the server's key", async () => {
    const r = await rig();
    try {
      const token = await sign({ sub: 'frank' });
      expect((await r.call(token)).isError).toBeFalsy();
      expect(r.exchanges).toHaveLength(1);
      const [exchange] = r.exchanges;
      // RFC 6749 §2.3.1: id and secret are form-encoded, then joined for Basic auth.
      const basic = Buffer.from(exchange!.authorization!.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
      expect(basic).toEqual(['mcp-server', 'exchange-secret']);
      expect(Object.fromEntries(exchange!.form)).toEqual({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'https://api.example.test',
        scope: 'read:me',
      });
      expect(r.upstreamSaw[0]!.authorization).toBe('Bearer upstream-token-1');
      expect(r.upstreamSaw[0]!['x-api-key']).toBeUndefined();
      expect(JSON.stringify(r.upstreamSaw)).not.toContain(token);
    } finally {
      await r.close();
    }
  });

  it('keeps one traded token per caller token until it expires; another caller gets its own', async () => {
    const r = await rig();
    try {
      const frank = await sign({ sub: 'frank' });
      const grace = await sign({ sub: 'grace' });
      await r.call(frank);
      await r.call(frank);
      await r.call(grace);
      expect(r.exchanges.map((e) => e.form.get('subject_token'))).toEqual([frank, grace]);
      expect(r.upstreamSaw.map((h) => h.authorization)).toEqual(['Bearer upstream-token-1', 'Bearer upstream-token-1', 'Bearer upstream-token-2']);
    } finally {
      await r.close();
    }
  });

  it('a refused exchange is a tool error naming the reason, and nothing goes upstream', async () => {
    const r = await rig({ refuse: true });
    try {
      const result = await r.call(await sign({ sub: 'frank' }));
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/Token exchange at http:\/\/127\.0\.0\.1:\d+\/token failed: HTTP 400 \(invalid_target: unknown audience\)/);
      expect(r.upstreamSaw).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  it('operations that want no credentials get none, and no exchange happens for them', async () => {
    const r = await rig();
    try {
      expect((await r.call(await sign({ sub: 'frank' }), 'status')).isError).toBeFalsy();
      expect(r.exchanges).toHaveLength(0);
      expect(r.upstreamSaw[0]!.authorization).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  it('MCP_AUTH_PASSTHROUGH is refused at start-up; an exchange needs HTTP with inbound auth for this audience, its client, and one secured upstream', () => {
    const http = { MCP_TRANSPORT: 'http', MCP_AUTH_JWT_SECRET: SECRET, MCP_AUTH_AUDIENCE: AUDIENCE };
    const exchange = { MCP_TOKEN_EXCHANGE_URL: 'https://idp.test/token', MCP_TOKEN_EXCHANGE_CLIENT_ID: 'a', MCP_TOKEN_EXCHANGE_CLIENT_SECRET: 'b' };
    expect(loadConfig(upstream, { ...http, ...exchange }).tokenExchange).toMatchObject({ url: 'https://idp.test/token', clientId: 'a' });
    expect(() => loadConfig(upstream, { ...http, MCP_AUTH_PASSTHROUGH: '1' })).toThrow(/MCP_AUTH_PASSTHROUGH was removed: .*set MCP_TOKEN_EXCHANGE_URL/);
    expect(() => loadConfig(upstream, exchange)).toThrow(/needs inbound auth/);
    expect(() => loadConfig(upstream, { ...http, ...exchange, MCP_TRANSPORT: 'stdio' })).toThrow(/needs inbound auth .*over MCP_TRANSPORT=http/);
    expect(() => loadConfig(upstream, { ...http, ...exchange, MCP_AUTH_AUDIENCE: '' })).toThrow(/needs MCP_AUTH_AUDIENCE/);
    expect(() => loadConfig(upstream, { ...http, MCP_TOKEN_EXCHANGE_URL: 'https://idp.test/token' })).toThrow(/MCP_TOKEN_EXCHANGE_CLIENT_ID and MCP_TOKEN_EXCHANGE_CLIENT_SECRET are not/);
    expect(() => loadConfig(upstream, { ...http, ...exchange, MCP_TOKEN_EXCHANGE_URL: 'idp/token' })).toThrow(/must be an http\(s\) URL/);
    const twoApis: ServerDefinition = {
      ...upstream,
      tools: [],
      sources: { http: { geo: { baseUrl: 'https://geo.test', baseUrlEnv: 'GEO_BASE_URL', headers: {}, security: [['key']] }, meteo: { baseUrl: 'https://meteo.test', baseUrlEnv: 'METEO_BASE_URL', headers: {}, security: [['key']] } } },
    };
    expect(() => loadConfig(twoApis, { ...http, ...exchange })).toThrow(/yields a token for one upstream, and this server calls 2 with credentials \(geo, meteo\)/);
  });
});

describe('configuration', () => {
  it('refuses two key sources at once, a short HS256 secret, a bad or private PEM key and other bad values, all at once', async () => {
    expect(() => loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_AUTH_JWKS_URL: 'https://x.test/jwks' })).toThrow(/set only one of MCP_AUTH_JWT_SECRET, MCP_AUTH_JWKS_URL/);
    expect(() => loadConfig(definition, { MCP_AUTH_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => loadConfig(definition, { MCP_AUTH_PUBLIC_KEY: 'not a key' })).toThrow(/MCP_AUTH_PUBLIC_KEY is not a PEM public key/);
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privatePem = await exportPKCS8(pair.privateKey);
    let message = '';
    try {
      loadConfig(definition, { MCP_AUTH_PUBLIC_KEY: privatePem, MCP_AUDIT_LOG: '/no/such/dir/audit.log', MCP_RATE_LIMIT: 'lots', MCP_MAX_BODY_BYTES: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/MCP_AUTH_PUBLIC_KEY holds a private key/);
    expect(message).toMatch(/MCP_AUDIT_LOG: directory \/no\/such\/dir does not exist/);
    expect(message).toMatch(/MCP_RATE_LIMIT must be an integer between 0 and 1000000, got "lots"/);
    expect(message).toMatch(/MCP_MAX_BODY_BYTES must be a positive integer, got "0"/);
    // The key material itself is never echoed.
    expect(message).not.toContain(privatePem.split('\n')[1]!);
  });

  it('audits to stderr unless told otherwise (design.md default), with or without auth; off only when asked', () => {
    expect(loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET }).auditLog).toBe('stderr');
    expect(loadConfig(definition, {}).auditLog).toBe('stderr');
    expect(loadConfig(definition, { MCP_AUDIT_LOG: 'off' }).auditLog).toBeUndefined();
  });
});

describe('logger', () => {
  it('redacts secret-named fields and masks bearer credentials and JWTs in any string', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const jwt = await sign({ sub: 'x' });
    logger.warn(`refused Bearer ${jwt}`, {
      authorization: `Bearer ${jwt}`,
      headers: { cookie: 'session=abc123', accept: 'application/json', 'x-api-key': API_KEY },
      password: PASSWORD,
      note: `saw ${jwt} in a message`,
      error: new Error(`upstream said Basic dXNlcjpwYXNz`),
      tool: 'a_add',
    });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      msg: 'refused Bearer [redacted]',
      authorization: '[redacted]',
      headers: { cookie: '[redacted]', accept: 'application/json', 'x-api-key': '[redacted]' },
      password: '[redacted]',
      note: 'saw [redacted] in a message',
      error: { name: 'Error', message: 'upstream said Basic [redacted]' },
      tool: 'a_add',
    });
    for (const secret of [jwt, API_KEY, PASSWORD, 'abc123', 'dXNlcjpwYXNz']) expect(lines[0]).not.toContain(secret);
  });
});
