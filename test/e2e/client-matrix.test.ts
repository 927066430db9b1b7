/**
 * The client libraries agents embed, each driving every example server (and fixtures of
 * awkward names and of free-form objects) over stdio as their users would: list the tools through the library's own
 * schema conversion, call one, and find the upstream's answer in the library's result. The
 * loopback upstream checks that the call arrived. Clients: OpenAI Agents SDK (strict schemas
 * on), LangChain MCP adapters, Vercel AI SDK, Google GenAI `mcpToTool`, the MCP SDK v2 Client
 * (stdio and Streamable HTTP),
 * and the v1 Client under zod 4 and under zod 3.25 (npm alias `sdk-zod3`, see package.json
 * overrides).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientZod3 } from 'sdk-zod3/client/index.js';
import { StdioClientTransport as StdioZod3 } from 'sdk-zod3/client/stdio.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { getAllMcpTools, MCPServerStdio, RunContext } from '@openai/agents';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { createMCPClient } from '@ai-sdk/mcp';
import { StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { mcpToTool } from '@google/genai';
import { build, REPO, runCli, tempDir } from '../helpers/project.js';
import { startStub, type RecordedRequest, type Stub, type StubReply } from '../helpers/stub.js';

/** One server and one call of it. */
interface Example {
  name: string;
  /** Project directory (generated/<name>, or a fixture generated here). */
  dir: () => string;
  env: (stub: string) => Record<string, string>;
  tool: string;
  args: Record<string, unknown>;
  /** What the upstream answers; undefined for tools with no upstream. */
  reply?: (req: RecordedRequest) => StubReply;
  /** The request the call must make (path, and query or JSON body where they matter). */
  request?: { path: string; query?: RegExp; body?: unknown };
  /** Every tool must be one OpenAI's strict mode takes (the Agents SDK's conversion). */
  strict?: true;
  /** Text the result must contain: it comes from the upstream's answer (or the tool's own work). */
  marker: string;
}

const generated = (name: string) => () => path.join(REPO, 'generated', name);
const openMeteo = (file: string) => JSON.parse(readFileSync(path.join(REPO, 'test', 'fixtures', 'open-meteo', file), 'utf8')) as object;
let awkwardDir = '';
let freeFormDir = '';
let sqliteDir = '';

const EXAMPLES: Example[] = [
  {
    name: 'petstore',
    dir: generated('petstore'),
    env: (stub) => ({ API_BASE_URL: `${stub}/api/v3`, PETSTORE_API_KEY: 'key-123' }),
    tool: 'getPetById',
    args: { petId: 7 },
    reply: () => ({ body: { id: 7, name: 'matrix-petstore', photoUrls: [] } }),
    request: { path: '/api/v3/pet/7' },
    marker: 'matrix-petstore',
  },
  {
    name: 'library-3.1',
    dir: generated('library-3.1'),
    env: (stub) => ({ API_BASE_URL: `${stub}/api` }),
    tool: 'getBook',
    args: { isbn: '978-0-441-01359' },
    reply: () => ({ body: { isbn: '978-0-441-01359', title: 'matrix-library' } }),
    request: { path: '/api/books/978-0-441-01359' },
    marker: 'matrix-library',
  },
  {
    name: 'todo-swagger2',
    dir: generated('todo-swagger2'),
    env: (stub) => ({ API_BASE_URL: `${stub}/api`, TODO_TOKEN: 'tt' }),
    tool: 'getTodo',
    args: { id: 5 },
    reply: () => ({ body: { id: 5, done: false, title: 'matrix-todo' } }),
    request: { path: '/api/todos/5' },
    marker: 'matrix-todo',
  },
  {
    name: 'styles',
    dir: generated('styles'),
    env: (stub) => ({ API_BASE_URL: `${stub}/v1` }),
    tool: 'queryStyles',
    args: { limit: 10, formExploded: ['a', 'b'] },
    reply: () => ({ body: { ok: true, note: 'matrix-styles' } }),
    request: { path: '/v1/query', query: /formExploded=a&formExploded=b/ },
    marker: 'matrix-styles',
  },
  {
    name: 'weather',
    dir: generated('weather'),
    env: (stub) => ({ GEO_BASE_URL: `${stub}/v1`, METEO_BASE_URL: `${stub}/v1` }),
    tool: 'weather_api',
    args: { location: 'Paris' },
    reply: (req) => ({ body: openMeteo(req.path === '/v1/search' ? 'search-paris.json' : 'forecast-paris-metric.json') }),
    request: { path: '/v1/forecast', query: /latitude=48\.85/ },
    marker: 'Paris',
  },
  {
    name: 'web',
    dir: generated('web'),
    env: () => ({ MCP_WEB_ALLOW_PRIVATE: '127.0.0.1' }),
    tool: 'web_scraper',
    args: { url: '' },
    reply: () => ({ headers: { 'content-type': 'text/html' }, body: '<html><head><title>matrix-web</title></head><body><p>hello</p></body></html>' }),
    request: { path: '/page' },
    marker: 'matrix-web',
  },
  {
    name: 'calculator',
    dir: generated('calculator'),
    env: () => ({}),
    tool: 'calculate',
    args: { expression: '6 * 7 + 0.5' },
    marker: '42.5',
  },
  {
    name: 'text-tools',
    dir: generated('text-tools'),
    env: () => ({}),
    tool: 'analyze_text',
    args: { text: 'Matrix tests are thorough. They run every client.' },
    marker: 'readability',
  },
  {
    name: 'database',
    dir: generated('database'),
    env: () => ({ DATABASE_URL: `sqlite:${path.join(sqliteDir, 'shop.db')}` }),
    tool: 'database_query',
    args: { query: "SELECT name FROM customers WHERE country = 'US' ORDER BY id" },
    marker: 'rows',
  },
  {
    name: 'awkward names',
    dir: () => awkwardDir,
    env: (stub) => ({ API_BASE_URL: `${stub}/v1` }),
    tool: 'get-thing_6db3ae',
    args: { id: 'x', query_constructor: 'c', query___proto__: 'p', query_toString: 't' },
    // JSON text: an object literal's `__proto__` would set a prototype, not a field.
    reply: () => ({
      headers: { 'content-type': 'application/json' },
      body: '{"name":"matrix-awkward","constructor":"made-by-matrix","__proto__":"proto-field","toString":"s","nested":{"constructor":"inner"}}',
    }),
    request: { path: '/v1/things/x', query: /constructor=c&toString=t&__proto__=p/ },
    // Only a successful result lists the field under its safe name (an error would quote the body).
    marker: 'response_constructor',
  },
  {
    name: 'free-form objects',
    dir: () => freeFormDir,
    env: (stub) => ({ API_BASE_URL: `${stub}/v1` }),
    tool: 'createNote',
    // Listed as JSON text (strict mode cannot list open objects); the server sends the objects.
    args: { title: 'matrix-note', labels: '{"team":"matrix","constructor":"c"}', meta: '{"n":1,"deep":{"x":[true]}}', parts: [{ kind: 'a', attrs: '{"k":"v"}' }] },
    reply: () => ({ status: 201, body: { id: 3, title: 'matrix-free-form' } }),
    request: { path: '/v1/notes', body: { title: 'matrix-note', labels: { team: 'matrix', constructor: 'c' }, meta: { n: 1, deep: { x: [true] } }, parts: [{ kind: 'a', attrs: { k: 'v' } }] } },
    strict: true,
    marker: 'matrix-free-form',
  },
];

/** What a client library saw: the listed tool names (its own spelling) and the call's result, as JSON. */
interface Seen {
  tools: string[];
  result: string;
  /** Tools the client could not make strict (clients with a strict mode only). */
  notStrict?: string[];
}

type Run = (entry: string, env: Record<string, string>, example: Example) => Promise<Seen>;

const childEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', MCP_LOG_LEVEL: 'warn', ...env });

/** The MCP SDK Clients (v1 under zod 4 or zod 3, v2): list, then call. */
function sdkClient(ClientClass: typeof ClientV1 | typeof ClientZod3 | typeof ClientV2, Transport: typeof StdioV1 | typeof StdioZod3 | typeof StdioV2): Run {
  return async (entry, env, example) => {
    const client = new (ClientClass as typeof ClientV1)({ name: 'matrix', version: '1.0.0' });
    await client.connect(new (Transport as typeof StdioV1)({ command: process.execPath, args: [entry], env: childEnv(env) }));
    try {
      const { tools } = await client.listTools();
      const result = await client.callTool({ name: example.tool, arguments: example.args });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      return { tools: tools.map((t) => t.name), result: JSON.stringify(result) };
    } finally {
      await client.close();
    }
  };
}

/** The v2 Client over Streamable HTTP: the server started with MCP_TRANSPORT=http on a free port. */
const sdkV2Http: Run = async (entry, env, example) => {
  const child = spawn(process.execPath, [entry], { env: childEnv({ ...env, MCP_TRANSPORT: 'http', PORT: '0', HOST: '127.0.0.1', MCP_LOG_LEVEL: 'info' }), stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(log);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    const client = new ClientV2({ name: 'matrix', version: '1.0.0' });
    await client.connect(new HttpV2(new URL(url)));
    try {
      const { tools } = await client.listTools();
      const result = await client.callTool({ name: example.tool, arguments: example.args });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      return { tools: tools.map((t) => t.name), result: JSON.stringify(result) };
    } finally {
      await client.close();
    }
  } finally {
    child.kill('SIGTERM');
  }
};

/** The name OpenAI's Agents SDK gives a tool (`toFunctionToolName`). */
const openAiName = (name: string) => name.replace(/[^a-zA-Z0-9]/g, '_');

const CLIENTS: Record<string, Run> = {
  'MCP SDK v1 Client (zod 4)': sdkClient(ClientV1, StdioV1),
  'MCP SDK v1 Client (zod 3.25)': sdkClient(ClientZod3, StdioZod3),
  'MCP SDK v2 Client (stdio)': sdkClient(ClientV2, StdioV2),
  'MCP SDK v2 Client (Streamable HTTP)': sdkV2Http,
  'OpenAI Agents SDK (convertSchemasToStrict)': async (entry, env, example) => {
    const server = new MCPServerStdio({ name: 'matrix', command: process.execPath, args: [entry], env: childEnv(env) });
    await server.connect();
    try {
      const tools = await getAllMcpTools({ mcpServers: [server], convertSchemasToStrict: true });
      const tool = tools.find((t) => t.name === openAiName(example.tool));
      if (!tool || tool.type !== 'function') throw new Error(`no function tool ${openAiName(example.tool)} among ${tools.map((t) => t.name).join(', ')}`);
      const result: unknown = await tool.invoke(new RunContext(), JSON.stringify(example.args));
      const notStrict = tools.filter((t) => t.type === 'function' && !t.strict).map((t) => t.name);
      return { tools: tools.map((t) => t.name), result: JSON.stringify(result), notStrict };
    } finally {
      await server.close();
    }
  },
  'LangChain MCP adapters': async (entry, env, example) => {
    const client = new MultiServerMCPClient({ mcpServers: { matrix: { transport: 'stdio', command: process.execPath, args: [entry], env: childEnv(env) } } });
    try {
      const tools = await client.getTools();
      const tool = tools.find((t) => t.name === example.tool);
      if (!tool) throw new Error(`no tool ${example.tool} among ${tools.map((t) => t.name).join(', ')}`);
      // invoke validates the arguments against the library's conversion of the input schema.
      const result: unknown = await tool.invoke(example.args);
      return { tools: tools.map((t) => t.name), result: JSON.stringify(result) };
    } finally {
      await client.close();
    }
  },
  'Vercel AI SDK (@ai-sdk/mcp)': async (entry, env, example) => {
    const client = await createMCPClient({ transport: new StdioMCPTransport({ command: process.execPath, args: [entry], env: childEnv(env) }) });
    try {
      const tools = await client.tools();
      const tool = tools[example.tool];
      if (!tool?.execute) throw new Error(`no tool ${example.tool} among ${Object.keys(tools).join(', ')}`);
      const result = (await tool.execute(example.args, { toolCallId: 'matrix-1', messages: [] })) as { isError?: boolean };
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      return { tools: Object.keys(tools), result: JSON.stringify(result) };
    } finally {
      await client.close();
    }
  },
  'Google GenAI mcpToTool': async (entry, env, example) => {
    const client = new ClientV1({ name: 'matrix', version: '1.0.0' });
    await client.connect(new StdioV1({ command: process.execPath, args: [entry], env: childEnv(env) }));
    try {
      const tool = mcpToTool(client);
      const { functionDeclarations } = await tool.tool();
      const parts = await tool.callTool([{ name: example.tool, args: example.args }]);
      // An unknown name yields no part at all, an error a response under `error`.
      expect(parts).toHaveLength(1);
      expect(parts[0]!.functionResponse?.response).not.toHaveProperty('error');
      return { tools: (functionDeclarations ?? []).map((d) => d.name ?? ''), result: JSON.stringify(parts) };
    } finally {
      await client.close();
    }
  },
};

beforeAll(() => {
  awkwardDir = path.join(tempDir('awkward'), 'awkward-names');
  const generatedCli = runCli([path.join(REPO, 'test', 'fixtures', 'clients', 'awkward-names.yaml'), '-o', awkwardDir]);
  if (generatedCli.code !== 0) throw new Error(generatedCli.stderr);
  build(awkwardDir);
  freeFormDir = path.join(tempDir('free-form'), 'free-form');
  const freeForm = runCli([path.join(REPO, 'test', 'fixtures', 'clients', 'free-form.yaml'), '-o', freeFormDir]);
  if (freeForm.code !== 0) throw new Error(freeForm.stderr);
  build(freeFormDir);
  sqliteDir = tempDir('matrix-sqlite');
});

for (const example of EXAMPLES) {
  describe(example.name, () => {
    let stub: Stub;
    let listed: string[] = [];
    beforeAll(async () => {
      stub = await startStub((req) => example.reply?.(req));
      const definition = JSON.parse(readFileSync(path.join(example.dir(), 'server-definition.json'), 'utf8')) as { tools: Array<{ name: string }> };
      listed = definition.tools.map((t) => t.name);
    });
    afterAll(() => stub?.close());

    for (const [client, run] of Object.entries(CLIENTS)) {
      it(`${client}: lists every tool and calls ${example.tool}`, async () => {
        stub.reset();
        const args = example.name === 'web' ? { ...example.args, url: `${stub.url}/page` } : example.args;
        const seen = await run(path.join(example.dir(), 'dist', 'index.js'), example.env(stub.url), { ...example, args });
        const expected = client.startsWith('OpenAI') ? listed.map(openAiName) : listed;
        expect([...seen.tools].sort()).toEqual([...expected].sort());
        expect(seen.result).toContain(example.marker);
        // The Agents SDK hands an error result over as its text: make sure it is not one.
        expect(seen.result).not.toMatch(/does not match|Invalid arguments|failed|timed out|No credentials/);
        if (example.request) {
          const last = stub.requests.at(-1);
          expect(last?.path).toBe(example.request.path);
          if (example.request.query) expect(last?.query).toMatch(example.request.query);
          if (example.request.body !== undefined) expect(JSON.parse(last!.body.toString())).toEqual(example.request.body);
        }
        if (example.strict && seen.notStrict) expect(seen.notStrict).toEqual([]);
      });
    }

    if (example.name === 'awkward names') {
      it('body fields go upstream under their own names, from arguments listed under safe ones (SDK v1 on zod 3.25)', async () => {
        stub.reset();
        const client = new ClientZod3({ name: 'matrix', version: '1.0.0' });
        await client.connect(new StdioZod3({ command: process.execPath, args: [path.join(example.dir(), 'dist', 'index.js')], env: childEnv(example.env(stub.url)) }));
        try {
          const result = await client.callTool({ name: 'get_thing', arguments: { body_constructor: 'c', body___proto__: 'p', body_toString: 't', name: 'n' } });
          expect(result.isError, JSON.stringify(result)).toBeFalsy();
          // Entries, not an object literal: `{ __proto__: … }` would set a prototype.
          const sent = Object.entries(JSON.parse(stub.only().body.toString()) as object).sort();
          expect(sent).toEqual([['__proto__', 'p'], ['constructor', 'c'], ['name', 'n'], ['toString', 't']]);
          expect(result.structuredContent).toMatchObject({ response_constructor: 'made-by-matrix', response___proto__: 'proto-field', response_toString: 's', nested: { constructor: 'inner' } });
        } finally {
          await client.close();
        }
      });
    }
  });
}
