import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyAuth, AuthError, mergeAuth, OAuth2TokenCache } from '../../src/runtime/upstream/auth.js';
import type { AuthScheme } from '../../src/runtime/definition.js';
import { buildRequest } from '../../src/runtime/upstream/request.js';

const schemes: AuthScheme[] = [
  { id: 'key', type: 'apiKey', in: 'header', name: 'X-API-Key', env: 'P_API_KEY' },
  { id: 'qkey', type: 'apiKey', in: 'query', name: 'api_key', env: 'P_QKEY' },
  { id: 'ckey', type: 'apiKey', in: 'cookie', name: 'session', env: 'P_CKEY' },
  { id: 'bearer', type: 'bearer', env: 'P_TOKEN' },
  { id: 'basic', type: 'basic', usernameEnv: 'P_USER', passwordEnv: 'P_PASS' },
];

describe('applyAuth', () => {
  it('no security → nothing added', async () => {
    expect(await applyAuth({ security: [], schemes, env: {} })).toEqual({ headers: {}, query: [], cookies: [] });
  });

  it('apiKey in header / query / cookie', async () => {
    const env = { P_API_KEY: 'k1', P_QKEY: 'a b', P_CKEY: 'c;1' };
    expect((await applyAuth({ security: [['key']], schemes, env })).headers).toEqual({ 'x-api-key': 'k1' });
    expect((await applyAuth({ security: [['qkey']], schemes, env })).query).toEqual(['api_key=a%20b']);
    expect((await applyAuth({ security: [['ckey']], schemes, env })).cookies).toEqual(['session=c%3B1']);
  });

  it('bearer and basic', async () => {
    const env = { P_TOKEN: 'tok\n', P_USER: 'user', P_PASS: 'p:ss' };
    expect((await applyAuth({ security: [['bearer']], schemes, env })).headers['authorization']).toBe('Bearer tok');
    expect((await applyAuth({ security: [['basic']], schemes, env })).headers['authorization']).toBe(
      `Basic ${Buffer.from('user:p:ss').toString('base64')}`,
    );
  });

  it('picks the first configured alternative, and applies every scheme of it', async () => {
    const env = { P_QKEY: 'q', P_TOKEN: 't' };
    const result = await applyAuth({ security: [['key'], ['bearer', 'qkey']], schemes, env });
    expect(result.headers).toEqual({ authorization: 'Bearer t' });
    expect(result.query).toEqual(['api_key=q']);
  });

  it('unconfigured → no credentials, and a hint naming the env vars', async () => {
    const result = await applyAuth({ security: [['key'], ['basic']], schemes, env: {} });
    expect(result).toMatchObject({ headers: {}, query: [], cookies: [] });
    expect(result.missing).toMatch(/set \(1\) P_API_KEY; or \(2\) P_USER and P_PASS/);
  });

  it('an empty alternative makes auth optional', async () => {
    expect(await applyAuth({ security: [['key'], []], schemes, env: {} })).toEqual({ headers: {}, query: [], cookies: [] });
  });

  it('error messages never contain secrets', async () => {
    const err = await applyAuth({ security: [['key', 'bearer']], schemes, env: { P_API_KEY: 'supersecret' } }).catch((e: unknown) => e);
    expect(String(err)).not.toContain('supersecret');
  });

  it('mergeAuth adds headers, query and cookies to a built request', async () => {
    const req = buildRequest({
      binding: {
        kind: 'http',
        method: 'GET',
        path: '/p',
        parameters: [
          { arg: 'q', name: 'q', in: 'query', style: 'form', explode: true },
          { arg: 'c', name: 'c', in: 'cookie', style: 'form', explode: true },
        ],
        security: [],
      },
      args: { q: 1, c: 2 },
      baseUrl: 'http://h',
    });
    mergeAuth(req, await applyAuth({ security: [['key', 'qkey', 'ckey']], schemes, env: { P_API_KEY: 'k', P_QKEY: 'q', P_CKEY: 's' } }));
    expect(req.url).toBe('http://h/p?q=1&api_key=q');
    expect(req.headers['cookie']).toBe('c=2; session=s');
    expect(req.headers['x-api-key']).toBe('k');
  });
});

describe('OAuth2 client credentials', () => {
  let tokenUrl = '';
  let requests = 0;
  let lastBody = '';
  let lastAuth = '';
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests++;
      lastBody = body;
      lastAuth = req.headers.authorization ?? '';
      const form = new URLSearchParams(body);
      // RFC 6749 §2.3.1 + Appendix B: form-encoded before base64.
      const expectedAuth = `Basic ${Buffer.from('my+client:s3cr%2Ft').toString('base64')}`;
      if (status !== 200 || form.get('grant_type') !== 'client_credentials' || lastAuth !== expectedAuth) {
        res.writeHead(status === 200 ? 401 : status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid_client', error_description: 'bad credentials' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `token-${requests}`, token_type: 'Bearer', expires_in: 3600 }));
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = 0;
    status = 200;
  });

  const oauth = (): AuthScheme[] => [
    { id: 'oauth', type: 'oauth2ClientCredentials', tokenUrl, scopes: ['read:pets', 'write:pets'], clientIdEnv: 'P_CLIENT_ID', clientSecretEnv: 'P_CLIENT_SECRET' },
  ];
  const env = { P_CLIENT_ID: 'my client', P_CLIENT_SECRET: 's3cr/t' };

  it('fetches once and caches the token', async () => {
    const tokens = new OAuth2TokenCache();
    const a = await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens });
    const b = await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens });
    expect(a.headers['authorization']).toBe('Bearer token-1');
    expect(b.headers['authorization']).toBe('Bearer token-1');
    expect(requests).toBe(1);
    const form = new URLSearchParams(lastBody);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('read:pets write:pets');
  });

  it('concurrent calls share one token request', async () => {
    const tokens = new OAuth2TokenCache();
    await Promise.all([1, 2, 3].map(() => applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens })));
    expect(requests).toBe(1);
  });

  it('refetches after expires_in minus 30 s', async () => {
    let now = 1_000_000;
    const tokens = new OAuth2TokenCache({ now: () => now });
    await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens });
    now += 3_569_000; // 1 s before expiry − 30 s skew
    expect((await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens })).headers['authorization']).toBe('Bearer token-1');
    now += 2_000;
    expect((await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens })).headers['authorization']).toBe('Bearer token-2');
    expect(requests).toBe(2);
  });

  it('token endpoint errors are reported without secrets', async () => {
    status = 400;
    const err = await applyAuth({ security: [['oauth']], schemes: oauth(), env, tokens: new OAuth2TokenCache() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String(err)).toMatch(/HTTP 400 \(invalid_client: bad credentials\)/);
    expect(String(err)).not.toContain('s3cr');
  });

  it('missing client secret → no token request, and a hint naming both variables', async () => {
    const fetchImpl = vi.fn<typeof fetch>();
    const result = await applyAuth({ security: [['oauth']], schemes: oauth(), env: { P_CLIENT_ID: 'x' }, fetchImpl });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(result.headers).toEqual({});
    expect(result.missing).toMatch(/P_CLIENT_ID and P_CLIENT_SECRET/);
  });
});
