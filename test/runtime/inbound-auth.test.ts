/**
 * Inbound auth on Streamable HTTP: bearer JWTs (HS256 secret and a JWKS served on loopback),
 * 401 with the protected-resource challenge, roles → tools, and an audit log without secrets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AuditLog } from '../../src/runtime/audit.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { expressionBackend } from '../../src/runtime/expression.js';
import { createLogger } from '../../src/runtime/log.js';
import { startHttpServer } from '../../src/runtime/transport.js';
import { REPO } from '../helpers/project.js';
import type { HttpServerHandle } from '../../src/runtime/transport.js';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const ISSUER = 'https://issuer.example.test';
const AUDIENCE = 'mcp-gen-test';
const PASSWORD = 'hunter2-very-secret';

const calc = (name: string): ToolDefinition => ({
  name,
  description: name,
  inputSchema: { type: 'object', properties: { expression: { type: 'string' }, password: { type: 'string' } }, required: ['expression'] },
  annotations: {},
  binding: { kind: 'expression', input: '${args.expression}', functions: [], constants: [], maxLength: 100 },
});

const definition: ServerDefinition = {
  formatVersion: 1,
  server: { name: 'secure', version: '1.0.0', envPrefix: 'SECURE' },
  baseUrls: [],
  auth: [],
  tools: [calc('a_add'), calc('a_sub'), calc('b_admin')],
  roles: { reader: ['a_*'], admin: ['a_*', 'b_admin'] },
};

const sign = (claims: Record<string, unknown>, options: { secret?: string; expires?: string; issuer?: string; audience?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? 'user-1'))
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));

async function connectWith(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'auth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

describe('inbound JWT auth (HS256)', () => {
  let server: HttpServerHandle;
  let auditFile: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    auditFile = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-gen-audit-')), 'audit.log');
    const env = { MCP_AUTH_JWT_SECRET: SECRET, MCP_AUTH_ISSUER: ISSUER, MCP_AUTH_AUDIENCE: AUDIENCE, MCP_AUDIT_LOG: auditFile, PORT: '0', SECURE_API_KEY: 'sk-should-never-appear' };
    const config = loadConfig(definition, env);
    server = await startHttpServer(definition, config, {
      backends: { expression: expressionBackend },
      logger: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
      audit: new AuditLog(auditFile),
    });
  });
  afterAll(async () => server?.close());

  const post = (headers: Record<string, string>) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });

  it('no token → 401 with a challenge pointing at the protected-resource metadata', async () => {
    const response = await post({});
    expect(response.status).toBe(401);
    const origin = new URL(server.url).origin;
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`);
    const metadata = await (await fetch(`${origin}/.well-known/oauth-protected-resource`)).json();
    expect(metadata).toEqual({ resource: `${origin}/mcp`, authorization_servers: [ISSUER], bearer_methods_supported: ['header'], resource_name: 'secure' });
  });

  it.each([
    ['a bad signature', () => sign({ roles: ['admin'] }, { secret: 'another-secret-that-is-32-bytes-long!!' }), 'token signature does not verify'],
    ['the wrong audience', () => sign({ roles: ['admin'] }, { audience: 'someone-else' }), 'token claim "aud" is not valid'],
    ['the wrong issuer', () => sign({ roles: ['admin'] }, { issuer: 'https://evil.test' }), 'token claim "iss" is not valid'],
    ['an expired token', () => sign({ roles: ['admin'] }, { expires: '-1m' }), 'token expired'],
  ])('%s → 401 invalid_token', async (_name, token, reason) => {
    const response = await post({ authorization: `Bearer ${await token()}` });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`error="invalid_token", error_description="${reason}"`);
  });

  it('a reader sees and may call only the reader tools; an admin sees all', async () => {
    const reader = await connectWith(server.url, await sign({ sub: 'alice', roles: ['reader'] }));
    expect((await reader.listTools()).tools.map((t) => t.name)).toEqual(['a_add', 'a_sub']);
    const ok = await reader.callTool({ name: 'a_add', arguments: { expression: '1 + 2', password: PASSWORD } });
    expect(ok.isError).toBeFalsy();
    await expect(reader.callTool({ name: 'b_admin', arguments: { expression: '1' } })).rejects.toThrow(/Unknown tool: b_admin/);
    await reader.close();

    const admin = await connectWith(server.url, await sign({ sub: 'bob', scope: 'ignored', roles: 'admin' }));
    expect((await admin.listTools()).tools.map((t) => t.name)).toEqual(['a_add', 'a_sub', 'b_admin']);
    expect((await admin.callTool({ name: 'b_admin', arguments: { expression: '6 * 7' } })).isError).toBeFalsy();
    await admin.close();
  });

  it('writes one audit line per call, with names but no secret anywhere in the logs', async () => {
    await new Promise((r) => setTimeout(r, 100)); // let the append stream flush
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.principal, l.tool, l.outcome])).toEqual([
      ['alice', 'a_add', 'ok'],
      ['alice', 'b_admin', 'denied'],
      ['bob', 'b_admin', 'ok'],
    ]);
    expect(lines[0]!.arguments).toEqual(['expression', 'password']);
    const everything = readFileSync(auditFile, 'utf8') + logLines.join('');
    for (const secret of [SECRET, PASSWORD, 'sk-should-never-appear', 'eyJ']) expect(everything).not.toContain(secret);
  });

  it('a session belongs to the caller who opened it', async () => {
    const alice = await connectWith(server.url, await sign({ sub: 'alice', roles: ['reader'] }));
    const sessionId = (alice.transport as StreamableHTTPClientTransport).sessionId!;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, authorization: `Bearer ${await sign({ sub: 'mallory', roles: ['admin'] })}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(404);
    await alice.close();
  });
});

describe('inbound JWT auth (JWKS on loopback)', () => {
  let jwks: HttpServer;
  let server: HttpServerHandle;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const config = loadConfig(definition, { MCP_AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, MCP_AUTH_AUDIENCE: AUDIENCE, PORT: '0' });
    server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
  });
  afterAll(async () => {
    await server?.close();
    jwks?.close();
  });

  it('accepts a token signed by a key in the JWKS and refuses a token signed by another key', async () => {
    const token = await new SignJWT({ roles: ['reader'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('carol').setAudience(AUDIENCE).setExpirationTime('5m').sign(privateKey);
    const client = await connectWith(server.url, token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['a_add', 'a_sub']);
    await client.close();
    const other = (await generateKeyPair('RS256')).privateKey;
    const forged = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('eve').setAudience(AUDIENCE).setExpirationTime('5m').sign(other);
    await expect(connectWith(server.url, forged)).rejects.toThrow();
  });
});

describe('configuration', () => {
  it('refuses two key sources at once and a short HS256 secret', () => {
    expect(() => loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_AUTH_JWKS_URL: 'https://x.test/jwks' })).toThrow(/set only one of MCP_AUTH_JWT_SECRET, MCP_AUTH_JWKS_URL/);
    expect(() => loadConfig(definition, { MCP_AUTH_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
  });
});

describe('x-mcp roles in OpenAPI', () => {
  it('fill the definition role map, in a stable order', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-gen-roles-')), 'p');
    const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'test/fixtures/roles/roles.yaml', '-o', out], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const generated = JSON.parse(readFileSync(path.join(out, 'server-definition.json'), 'utf8')) as ServerDefinition;
    expect(generated.roles).toEqual({ admin: ['listItems', 'createItem'], reader: ['listItems'] });
  });
});

describe('per-caller rate limit', () => {
  it('answers 429 with Retry-After past MCP_RATE_LIMIT requests a minute, per token subject', async () => {
    const config = loadConfig(definition, { MCP_AUTH_JWT_SECRET: SECRET, MCP_RATE_LIMIT: '3', PORT: '0' });
    const server = await startHttpServer(definition, config, { backends: { expression: expressionBackend }, audit: new AuditLog(undefined) });
    const init = async (sub: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${await sign({ sub, roles: ['reader'] }, { audience: AUDIENCE })}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await init('dave')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await init('dave');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another caller has a budget of its own.
      expect((await init('erin')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('MCP_AUTH_PASSTHROUGH', () => {
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
    ],
  };

  async function upstreamSaw(passthrough: boolean): Promise<Record<string, string | string[] | undefined>> {
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    const stub = createHttpServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const env = {
      MCP_AUTH_JWT_SECRET: SECRET,
      PORT: '0',
      API_BASE_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
      PASS_API_KEY: 'server-key',
      ...(passthrough ? { MCP_AUTH_PASSTHROUGH: '1' } : {}),
    };
    const server = await startHttpServer(upstream, loadConfig(upstream, env), { audit: new AuditLog(undefined) });
    const token = await sign({ sub: 'frank' }, { audience: AUDIENCE });
    const client = await connectWith(server.url, token);
    try {
      expect((await client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
      return { ...seen[0]!, token };
    } finally {
      await client.close();
      await server.close();
      stub.close();
    }
  }

  it('off by default: the upstream gets the configured credentials, never the caller token', async () => {
    const headers = await upstreamSaw(false);
    expect(headers['x-api-key']).toBe('server-key');
    expect(headers.authorization).toBeUndefined();
  });

  it("on: the upstream gets the caller's bearer token instead", async () => {
    const headers = await upstreamSaw(true);
    expect(headers.authorization).toBe(`Bearer ${String(headers.token)}`);
    expect(headers['x-api-key']).toBeUndefined();
  });
});
