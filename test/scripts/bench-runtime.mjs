// Per-call overhead of a generated server over a direct fetch to the same loopback upstream,
// over stdio and Streamable HTTP, plus HTTP throughput at concurrency 16.
//
//   npm run build && node test/scripts/bench-runtime.mjs [calls]
//
// Generates specs/petstore.yaml into a temp dir, links this repo's node_modules, compiles it
// with tsc and starts it with API_BASE_URL at a loopback stub that answers getOrderById with a
// small JSON object. Prints a Markdown table. Everything stays on 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CALLS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;
const CONCURRENCY = 16;
const THROUGHPUT_MS = 5000;

const ORDER = JSON.stringify({ id: 1, petId: 2, quantity: 1, status: 'placed', complete: false });

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}
const ms = (x) => x.toFixed(3);

async function timeCalls(n, fn) {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  return summary(samples);
}

// --- upstream stub -------------------------------------------------------------------------
const stub = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(ORDER));
});
await new Promise((resolve) => stub.listen(0, '127.0.0.1', resolve));
const upstream = `http://127.0.0.1:${stub.address().port}/api/v3`;

// --- generate and build ----------------------------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-gen-bench-runtime-'));
const project = path.join(dir, 'petstore');
execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), path.join(REPO, 'specs', 'petstore.yaml'), '-o', project], { stdio: 'pipe' });
symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { stdio: 'pipe' });
const entry = path.join(project, 'dist', 'index.js');
const baseEnv = { PATH: process.env.PATH ?? '', API_BASE_URL: upstream, MCP_LOG_LEVEL: 'warn' };

const callTool = (client) => async (i) => {
  const result = await client.callTool({ name: 'getOrderById', arguments: { orderId: (i % 9) + 1 } });
  if (result.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
};

// --- direct fetch ----------------------------------------------------------------------------
const direct = await timeCalls(CALLS, async (i) => {
  const res = await fetch(`${upstream}/store/order/${(i % 9) + 1}`);
  JSON.parse(await res.text());
});

// --- stdio -----------------------------------------------------------------------------------
const stdioClient = new Client({ name: 'bench', version: '0.0.0' });
await stdioClient.connect(new StdioClientTransport({ command: process.execPath, args: [entry], env: baseEnv, stderr: 'ignore' }));
const stdio = await timeCalls(CALLS, callTool(stdioClient));
await stdioClient.close();

// --- HTTP ------------------------------------------------------------------------------------
async function startHttp(extraEnv) {
  const child = spawn(process.execPath, [entry], {
    env: { ...baseEnv, ...extraEnv, MCP_TRANSPORT: 'http', PORT: '0', HOST: '127.0.0.1', MCP_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      stderr += c.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(stderr);
      if (m) resolve(`http://127.0.0.1:${m[1]}/mcp`);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  // Drain further log output so the pipe never fills.
  child.stderr.resume();
  const client = new Client({ name: 'bench', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    stop: async () => {
      await client.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

const http = await startHttp({});
const httpLatency = await timeCalls(CALLS, callTool(http.client));
await http.stop();

// Throughput: 16 callers on one session; the bulkhead must not be the limit, so
// MCP_MAX_CONCURRENT is raised to the concurrency for this run.
const loaded = await startHttp({ MCP_MAX_CONCURRENT: String(CONCURRENCY) });
const call = callTool(loaded.client);
for (let i = 0; i < WARMUP; i++) await call(i);
let completed = 0;
const until = performance.now() + THROUGHPUT_MS;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = w; performance.now() < until; i += CONCURRENCY) {
      await call(i);
      completed++;
    }
  }),
);
const perSecond = completed / ((performance.now() - started) / 1000);
await loaded.stop();

stub.close();
stub.closeAllConnections();
rmSync(dir, { recursive: true, force: true });

console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}; ${CALLS} sequential calls after ${WARMUP} warm-up; tool getOrderById (GET, JSON, output schema checked)\n`);
console.log('| path | p50 ms | p99 ms | overhead p50 ms | overhead p99 ms |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| direct fetch | ${ms(direct.p50)} | ${ms(direct.p99)} | – | – |`);
for (const [label, s] of [['MCP over stdio', stdio], ['MCP over HTTP', httpLatency]]) {
  console.log(`| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.p50 - direct.p50)} | ${ms(s.p99 - direct.p99)} |`);
}
console.log(`\nHTTP throughput, ${CONCURRENCY} concurrent callers on one session, MCP_MAX_CONCURRENT=${CONCURRENCY}, ${THROUGHPUT_MS / 1000} s: **${Math.round(perSecond)} calls/s**`);
