/**
 * Every operation of every example spec, end to end: the committed project under generated/ is
 * compiled with tsc (test/global-setup.ts), started over stdio and over Streamable HTTP, listed
 * and called through the SDK Client; the loopback upstream checks the exact request that arrived.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { connectHttp, connectStdio, REPO, type Connected } from '../helpers/project.js';
import { startStub, type RecordedRequest, type Stub, type StubReply } from '../helpers/stub.js';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

interface Case {
  tool: string;
  args: Record<string, unknown>;
  /** What the upstream answers to this call. */
  reply?: StubReply;
  want: {
    method: string;
    path: string;
    query?: string;
    headers?: Record<string, string>;
    /** Headers that must not be sent (e.g. credentials of another scheme). */
    absent?: string[];
    json?: unknown;
    text?: string;
    multipart?: string[];
  };
  result?: (r: CallToolResult) => void;
}

interface Example {
  dir: string;
  basePath: string;
  env: Record<string, string>;
  tools: number;
  cases: Case[];
  /** Calls rejected before any upstream request. */
  invalid: Array<{ tool: string; args: Record<string, unknown>; message: RegExp }>;
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const structured = (want: unknown) => (r: CallToolResult) => {
  expect(r.isError).toBeFalsy();
  expect(r.structuredContent).toEqual(want);
};

const EXAMPLES: Example[] = [
  {
    dir: 'petstore',
    basePath: '/api/v3',
    env: { PETSTORE_API_KEY: 'key-123', PETSTORE_AUTH_CLIENT_ID: 'cid', PETSTORE_AUTH_CLIENT_SECRET: 'csecret' },
    tools: 9,
    cases: [
      {
        tool: 'updatePet',
        args: { name: 'rex', photoUrls: ['u1'], status: 'sold' },
        reply: { body: { id: 1, name: 'rex', photoUrls: ['u1'] } },
        want: { method: 'PUT', path: '/api/v3/pet', headers: { authorization: 'Bearer at-1', 'content-type': 'application/json' }, absent: ['api_key'], json: { name: 'rex', photoUrls: ['u1'], status: 'sold' } },
        result: structured({ id: 1, name: 'rex', photoUrls: ['u1'] }),
      },
      {
        tool: 'addPet',
        args: { name: 'rex', photoUrls: [], category: { id: 2, name: 'Dogs' }, tags: [{ id: 1, name: 'good' }] },
        reply: { body: { id: 9, name: 'rex', photoUrls: [] } },
        want: { method: 'POST', path: '/api/v3/pet', headers: { authorization: 'Bearer at-1' }, json: { name: 'rex', photoUrls: [], category: { id: 2, name: 'Dogs' }, tags: [{ id: 1, name: 'good' }] } },
        result: structured({ id: 9, name: 'rex', photoUrls: [] }),
      },
      {
        tool: 'findPetsByStatus',
        args: { status: ['available', 'sold'] },
        reply: { body: [{ name: 'a', photoUrls: [] }] },
        want: { method: 'GET', path: '/api/v3/pet/findByStatus', query: 'status=available&status=sold', absent: ['authorization', 'api_key'] },
        result: structured({ result: [{ name: 'a', photoUrls: [] }] }),
      },
      {
        tool: 'getPetById',
        args: { petId: 7 },
        reply: { body: { id: 7, name: 'doggie', photoUrls: [] } },
        want: { method: 'GET', path: '/api/v3/pet/7', query: '', headers: { api_key: 'key-123', accept: 'application/json, */*;q=0.5' } },
        result: structured({ id: 7, name: 'doggie', photoUrls: [] }),
      },
      {
        tool: 'deletePet',
        args: { petId: 7 },
        reply: { status: 204 },
        want: { method: 'DELETE', path: '/api/v3/pet/7', headers: { api_key: 'key-123' } },
        result: (r) => {
          expect(r.isError).toBeFalsy();
          expect(r.content).toEqual([{ type: 'text', text: 'HTTP 204 No Content' }]);
        },
      },
      {
        tool: 'getInventory',
        args: {},
        reply: { body: { available: 3, sold: 1 } },
        want: { method: 'GET', path: '/api/v3/store/inventory', headers: { api_key: 'key-123' } },
        result: structured({ available: 3, sold: 1 }),
      },
      {
        tool: 'placeOrder',
        args: { petId: 1, quantity: 2, shipDate: '2026-01-01T00:00:00Z', status: 'placed', complete: false },
        reply: { body: { id: 5, petId: 1, quantity: 2 } },
        want: { method: 'POST', path: '/api/v3/store/order', json: { petId: 1, quantity: 2, shipDate: '2026-01-01T00:00:00Z', status: 'placed', complete: false } },
        result: structured({ id: 5, petId: 1, quantity: 2 }),
      },
      {
        tool: 'getOrderById',
        args: { orderId: 3 },
        reply: { status: 404, body: { message: 'Order not found' } },
        want: { method: 'GET', path: '/api/v3/store/order/3' },
        result: (r) => {
          expect(r.isError).toBe(true);
          expect((r.content[0] as { text: string }).text).toMatch(/^HTTP 404 Not Found: \{"message":"Order not found"\}/);
        },
      },
      {
        tool: 'loginUser',
        args: { username: 'ann', password: 'p&q =' },
        reply: { headers: { 'content-type': 'application/json' }, body: '"session-token"' },
        want: { method: 'GET', path: '/api/v3/user/login', query: 'username=ann&password=p%26q%20%3D' },
        result: structured({ result: 'session-token' }),
      },
    ],
    invalid: [
      { tool: 'getPetById', args: { petId: 'seven' }, message: /\/petId must be integer/ },
      { tool: 'getOrderById', args: { orderId: 11 }, message: /\/orderId must be <= 10/ },
      { tool: 'addPet', args: { name: 'rex' }, message: /photoUrls/ },
      { tool: 'getInventory', args: { bogus: 1 }, message: /bogus/ },
    ],
  },
  {
    dir: 'styles',
    basePath: '/v1',
    env: {
      STYLES_BEARER_AUTH_TOKEN: 'tok',
      STYLES_BASIC_AUTH_USERNAME: 'user',
      STYLES_BASIC_AUTH_PASSWORD: 'p w',
      STYLES_API_KEY_QUERY: 'k&1',
      STYLES_API_KEY_COOKIE: 'ck',
    },
    tools: 11,
    cases: [
      {
        tool: 'pathSimple',
        args: { id: 'a/b c', list: ['x', 'y'], obj: { R: 100, G: 200 } },
        want: { method: 'GET', path: '/v1/path/simple/a%2Fb%20c/x,y/R=100,G=200', query: '', headers: { authorization: 'Bearer tok' } },
        result: structured({ ok: true }),
      },
      {
        tool: 'pathLabelMatrix',
        args: { lbl: ['a', 'b'], mtx: { R: 100, G: 200 } },
        want: { method: 'GET', path: '/v1/path/label/.a,b/matrix/;R=100;G=200' },
      },
      {
        tool: 'queryStyles',
        args: { formExploded: ['a', 'b'], formFlat: [1, 2], spaced: ['a', 'b'], piped: ['a', 'b'], filter: { color: 'red', size: 'L' }, reserved: 'a/b?c', limit: 10, where: { age: 3 } },
        want: {
          method: 'GET',
          path: '/v1/query',
          query: 'formExploded=a&formExploded=b&formFlat=1,2&spaced=a%20b&piped=a%7Cb&filter%5Bcolor%5D=red&filter%5Bsize%5D=L&reserved=a/b?c&limit=10&where=%7B%22age%22%3A3%7D',
        },
      },
      {
        tool: 'headersAndCookies',
        args: { 'X-Request-Id': 'r1', 'X-Tags': ['a', 'b'], 'X-Point': { x: 1, y: 2 }, session: 's1', theme: 'dark' },
        want: {
          method: 'GET',
          path: '/v1/headers',
          query: 'api_key=k%261',
          headers: { 'x-request-id': 'r1', 'x-tags': 'a,b', 'x-point': 'x=1,y=2', cookie: 'session=s1; theme=dark' },
          absent: ['authorization'],
        },
      },
      {
        tool: 'createItem',
        args: { id: 'p1', query_id: 'q1', body_id: 'b1', name: 'n', price: 2.5, note: null },
        reply: { status: 201, body: { id: 'b1', name: 'n', created: '2026-01-01T00:00:00Z' } },
        want: {
          method: 'POST',
          path: '/v1/items/p1',
          query: 'id=q1',
          headers: { authorization: `Basic ${Buffer.from('user:p w').toString('base64')}`, 'content-type': 'application/json' },
          json: { id: 'b1', name: 'n', price: 2.5, note: null },
        },
        result: structured({ id: 'b1', name: 'n', created: '2026-01-01T00:00:00Z' }),
      },
      {
        tool: 'submitForm',
        args: { name: 'n m', tags: ['a', 'b'] },
        want: { method: 'POST', path: '/v1/form', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'token=ck' }, text: 'name=n+m&tags=a&tags=b', absent: ['authorization'] },
      },
      {
        tool: 'uploadFile',
        args: { description: 'd', file: 'hello' },
        want: {
          method: 'POST',
          path: '/v1/upload',
          multipart: ['Content-Disposition: form-data; name="description"\r\n\r\nd\r\n', 'Content-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n'],
        },
      },
      {
        tool: 'replaceBatch',
        args: { body: [{ id: '1', name: 'x' }] },
        reply: { body: 1 },
        want: { method: 'PUT', path: '/v1/batch', json: [{ id: '1', name: 'x' }] },
        result: structured({ result: 1 }),
      },
      {
        tool: 'postNote',
        args: { body: 'hi there' },
        reply: { headers: { 'content-type': 'text/plain' }, body: 'hi there' },
        want: { method: 'POST', path: '/v1/notes', headers: { 'content-type': 'text/plain' }, text: 'hi there' },
        result: (r) => expect(r.content).toEqual([{ type: 'text', text: 'hi there' }]),
      },
      {
        tool: 'getImage',
        args: {},
        reply: { headers: { 'content-type': 'image/png' }, body: PNG },
        want: { method: 'GET', path: '/v1/image', absent: ['authorization'] },
        result: (r) => expect(r.content).toEqual([{ type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' }]),
      },
      {
        tool: 'archiveItem',
        args: { id: 'z' },
        reply: { status: 500, headers: { 'content-type': 'text/plain' }, body: 'boom' },
        want: { method: 'DELETE', path: '/v1/items/z/archive' },
        result: (r) => {
          expect(r.isError).toBe(true);
          expect(r.content).toEqual([{ type: 'text', text: 'HTTP 500 Internal Server Error: boom' }]);
        },
      },
    ],
    invalid: [
      { tool: 'queryStyles', args: {}, message: /limit/ },
      { tool: 'pathSimple', args: { id: '..', list: [], obj: {} }, message: /id/ },
      { tool: 'headersAndCookies', args: { 'X-Request-Id': 'a\r\nX-Evil: 1' }, message: /X-Request-Id/ },
      { tool: 'createItem', args: { id: 'p', body_id: 'b', name: '' }, message: /\/name must NOT have fewer than 1 characters/ },
    ],
  },
  {
    dir: 'library-3.1',
    basePath: '/api',
    env: {},
    tools: 5,
    cases: [
      {
        tool: 'listBooks',
        args: { author: 'Le Guin', page: 2 },
        reply: { body: { items: [{ isbn: '1', title: 'T' }], next: null } },
        want: { method: 'GET', path: '/api/books', query: 'author=Le%20Guin&page=2' },
        result: structured({ items: [{ isbn: '1', title: 'T' }], next: null }),
      },
      {
        tool: 'createBook',
        // Subcategories past the inlining depth are listed as JSON text: sent as text here, as
        // objects to createCategory below; the upstream gets objects either way.
        args: { isbn: '1', title: 'T', subtitle: null, format: 'hardcover', authors: [{ name: 'A', born: 1929 }], category: { name: 'SF', children: ['{"name":"New Wave","children":[]}'] } },
        reply: { status: 201, body: { isbn: '1', title: 'T' } },
        want: {
          method: 'POST',
          path: '/api/books',
          json: { isbn: '1', title: 'T', subtitle: null, format: 'hardcover', authors: [{ name: 'A', born: 1929 }], category: { name: 'SF', children: [{ name: 'New Wave', children: [] }] } },
        },
        result: structured({ isbn: '1', title: 'T' }),
      },
      {
        tool: 'getBook',
        args: { isbn: '978-0-13-468599-1' },
        reply: { body: { isbn: '978-0-13-468599-1', title: 'T' } },
        want: { method: 'GET', path: '/api/books/978-0-13-468599-1' },
      },
      {
        tool: 'getCategoryTree',
        args: {},
        reply: { body: [{ name: 'SF', children: [{ name: 'Cyberpunk', children: [] }] }] },
        want: { method: 'GET', path: '/api/categories' },
        result: structured({ result: [{ name: 'SF', children: [{ name: 'Cyberpunk', children: [] }] }] }),
      },
      {
        tool: 'createCategory',
        args: { name: 'SF', children: [{ name: 'x', children: [{ name: 'y' }] }] },
        reply: { status: 201, body: { name: 'SF' } },
        want: { method: 'POST', path: '/api/categories', json: { name: 'SF', children: [{ name: 'x', children: [{ name: 'y' }] }] } },
        result: structured({ name: 'SF' }),
      },
    ],
    invalid: [
      { tool: 'getBook', args: { isbn: 'abc' }, message: /\/isbn must match pattern/ },
      { tool: 'createCategory', args: { name: 'SF', children: [{ children: [] }] }, message: /name/ },
      { tool: 'createBook', args: { isbn: '1', title: 'T', format: 'paperback' }, message: /\/format must be one of "hardcover"/ },
    ],
  },
  {
    dir: 'todo-swagger2',
    basePath: '/api',
    env: { TODO_TOKEN: 'tt', TODO_BASIC_USERNAME: 'admin', TODO_BASIC_PASSWORD: 'pw' },
    tools: 5,
    cases: [
      {
        tool: 'listTodos',
        args: { done: true, tags: ['a', 'b'] },
        reply: { body: [] },
        want: { method: 'GET', path: '/api/todos', query: 'done=true&tags=a,b', headers: { 'x-token': 'tt' }, absent: ['authorization'] },
        result: structured({ result: [] }),
      },
      {
        tool: 'createTodo',
        args: { title: 'write tests', tags: ['dev'] },
        reply: { status: 201, body: { id: 1, done: false, title: 'write tests' } },
        want: { method: 'POST', path: '/api/todos', headers: { 'x-token': 'tt' }, json: { title: 'write tests', tags: ['dev'] } },
      },
      {
        tool: 'getTodo',
        args: { id: 5 },
        reply: { body: { id: 5, done: true, title: 't' } },
        want: { method: 'GET', path: '/api/todos/5' },
        result: structured({ id: 5, done: true, title: 't' }),
      },
      {
        tool: 'deleteTodo',
        args: { id: 5 },
        reply: { status: 204 },
        want: { method: 'DELETE', path: '/api/todos/5', headers: { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` }, absent: ['x-token'] },
      },
      {
        tool: 'attachNote',
        args: { id: 5, note: 'hi & bye', pinned: true },
        want: { method: 'POST', path: '/api/todos/5/attachments', headers: { 'content-type': 'application/x-www-form-urlencoded' }, text: 'note=hi+%26+bye&pinned=true' },
      },
    ],
    invalid: [{ tool: 'getTodo', args: { id: 'x' }, message: /\/id must be integer/ }],
  },
];

/** The upstream: OAuth2 token endpoint plus whatever reply the current case wants. */
let nextReply: StubReply | undefined;
let tokenRequests: RecordedRequest[] = [];
let stub: Stub;

beforeAll(async () => {
  stub = await startStub((req) => {
    if (req.path === '/oauth/token') {
      tokenRequests.push(req);
      return { body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 } };
    }
    return nextReply;
  });
});
afterAll(() => stub?.close());

function checkRequest(req: RecordedRequest, want: Case['want']) {
  expect(req.method).toBe(want.method);
  expect(req.path).toBe(want.path);
  if (want.query !== undefined) expect(req.query).toBe(want.query);
  for (const [k, v] of Object.entries(want.headers ?? {})) expect(req.headers[k], `header ${k}`).toBe(v);
  for (const k of want.absent ?? []) expect(req.headers[k], `header ${k} must not be sent`).toBeUndefined();
  if (want.json !== undefined) expect(JSON.parse(req.body.toString('utf8'))).toEqual(want.json);
  if (want.text !== undefined) expect(req.body.toString('utf8')).toBe(want.text);
  if (want.multipart) {
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    for (const part of want.multipart) expect(req.body.toString('utf8')).toContain(part);
  }
  if (want.json === undefined && want.text === undefined && !want.multipart) expect(req.body.length).toBe(0);
}

for (const ex of EXAMPLES) {
  describe.each(['stdio', 'http'] as const)(`generated/${ex.dir} over %s`, (transport) => {
    let server: Connected;
    beforeAll(async () => {
      const env = { ...ex.env, API_BASE_URL: `${stub.url}${ex.basePath}`, MCP_LOG_LEVEL: 'warn' };
      const dir = path.join(REPO, 'generated', ex.dir);
      server = transport === 'stdio' ? await connectStdio(dir, env) : await connectHttp(dir, env);
      tokenRequests = [];
    });
    afterAll(() => server?.close());

    it('lists every tool, and the list passes the SDK schema', async () => {
      const { tools } = await server.client.listTools();
      expect(tools).toHaveLength(ex.tools);
      expect(tools.map((t) => t.name).sort()).toEqual(ex.cases.map((c) => c.tool).sort());
      for (const t of tools) {
        expect(t.inputSchema.type).toBe('object');
        expect(t.annotations).toBeDefined();
      }
    });

    it.each(ex.cases.map((c) => [c.tool, c] as const))('%s sends the right request', async (_name, c) => {
      stub.reset();
      nextReply = c.reply;
      const result = (await server.client.callTool({ name: c.tool, arguments: c.args })) as CallToolResult;
      const calls = stub.requests.filter((r) => r.path !== '/oauth/token');
      expect(calls, server.stderr()).toHaveLength(1);
      checkRequest(calls[0]!, c.want);
      if (c.result) c.result(result);
      else expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    });

    it.each(ex.invalid.map((c) => [c.tool, c] as const))('%s rejects invalid arguments without calling upstream', async (_name, c) => {
      stub.reset();
      const result = (await server.client.callTool({ name: c.tool, arguments: c.args })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect((result.content[0] as { text: string }).text).toMatch(c.message);
      expect(stub.requests).toHaveLength(0);
    });

    if (ex.dir === 'petstore') {
      it('fetched one OAuth2 token with client credentials and reused it', () => {
        expect(tokenRequests).toHaveLength(1);
        const t = tokenRequests[0]!;
        expect(t.method).toBe('POST');
        expect(t.headers.authorization).toBe(`Basic ${Buffer.from('cid:csecret').toString('base64')}`);
        expect(new URLSearchParams(t.body.toString('utf8')).get('grant_type')).toBe('client_credentials');
        expect(new URLSearchParams(t.body.toString('utf8')).get('scope')).toBe('read:pets write:pets');
      });
    }
  });
}

describe.each(EXAMPLES.map((e) => [e.dir, e.tools] as const))('generated/%s', (dir, tools) => {
  it('passes its own npm test', () => {
    const cwd = path.join(REPO, 'generated', dir);
    // What `npm test` runs, without npm's own start-up; node_modules is the repo's, linked by the global setup.
    const out = execFileSync(process.execPath, [path.join(cwd, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' } });
    // server.test.ts: 3; contract.test.ts: 1 coverage check + per operation one request case and one invalid call;
    // resilience.test.ts: 11 fault cases on a GET operation + 1 on a POST (every example has both).
    const count = 3 + 1 + 2 * tools + 12;
    expect(out).toMatch(new RegExp(`Tests +${count} passed \\(${count}\\)`));
  });
});

describe('generated/petstore over stdio with the SDK 2.x Client pinned to 2026-07-28', () => {
  it('negotiates 2026-07-28 through server/discover, lists the tools and calls one', async () => {
    const ex = EXAMPLES.find((e) => e.dir === 'petstore')!;
    const transport = new StdioClientTransportV2({
      command: process.execPath,
      args: [path.join(REPO, 'generated', 'petstore', 'dist', 'index.js')],
      env: { PATH: process.env.PATH ?? '', ...ex.env, API_BASE_URL: `${stub.url}${ex.basePath}`, MCP_LOG_LEVEL: 'warn' },
      stderr: 'ignore',
    });
    const client = new ClientV2({ name: 'v2-stdio', version: '0.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect((await client.listTools()).tools).toHaveLength(ex.tools);
      stub.reset();
      nextReply = { headers: { 'content-type': 'application/json' }, body: { id: 7, name: 'doggie', photoUrls: [] } };
      const result = await client.callTool({ name: 'getPetById', arguments: { petId: 7 } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(stub.requests.filter((r) => r.path !== '/oauth/token').map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v3/pet/7']);
    } finally {
      await client.close();
    }
  });
});
