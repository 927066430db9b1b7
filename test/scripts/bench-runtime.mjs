// Per-call overhead of a generated server over a direct request to the same loopback upstream,
// over stdio and Streamable HTTP, plus HTTP throughput at concurrency 16.
//
//   npm run build && node test/scripts/bench-runtime.mjs [calls]
//
// Generates specs/petstore.yaml into a temp dir, links this repo's node_modules, compiles it
// with its own `npm run build` and starts it with API_BASE_URL at a loopback stub that answers getOrderById with a
// small JSON object. Prints a Markdown table. Everything stays on 127.0.0.1.
//
// The server is measured with a minimal JSON-RPC client (node:http with keep-alive, newline-
// delimited JSON on stdio) so that the figures are the server's, not the client library's; the
// direct baseline uses the same node:http client. Rows through the SDK's own Client are printed
// for reference: that is what an agent host built on the SDK adds on its side.
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startStdioRpc } from './stdio-rpc.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CALLS = Number(process.argv[2] ?? 2000);
const WARMUP = 300;
const CONCURRENCY = 16;
const THROUGHPUT_MS = 5000;
const ROUNDS = 3;
const PROTOCOL = '2025-06-18';

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

/** Calls/s of CONCURRENCY callers in ROUNDS rounds: the machine is shared, so one round can mislead. */
async function throughput(fn) {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    let completed = 0;
    const started = performance.now();
    const until = started + THROUGHPUT_MS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = w; performance.now() < until; i += CONCURRENCY) {
          await fn(i);
          completed++;
        }
      }),
    );
    rounds.push(completed / ((performance.now() - started) / 1000));
  }
  rounds.sort((a, b) => a - b);
  return { median: rounds[Math.floor(rounds.length / 2)], min: rounds[0], max: rounds[rounds.length - 1] };
}
const rate = (r) => `**${Math.round(r.median)} calls/s** (median of ${ROUNDS} rounds of ${THROUGHPUT_MS / 1000} s; ${Math.round(r.min)}–${Math.round(r.max)})`;

// --- upstream stub -------------------------------------------------------------------------
// In a process of its own, as a real upstream would be: sharing the load generator's event loop
// it would serialise the two and cap the throughput below what the server can do.
const STUB = `
  const { createServer } = require('node:http');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(${JSON.stringify(ORDER)}));
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;
const stub = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
const stubPort = await new Promise((resolve) => createInterface({ input: stub.stdout }).once('line', resolve));
const upstream = `http://127.0.0.1:${stubPort}/api/v3`;

// --- generate and build ----------------------------------------------------------------------
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-gen-bench-runtime-'));
const project = path.join(dir, 'petstore');
execFileSync(process.execPath, [path.join(REPO, 'dist', 'mcp-gen.cjs'), path.join(REPO, 'specs', 'petstore.yaml'), '-o', project], { stdio: 'pipe' });
symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: project, stdio: 'pipe' });
const entry = path.join(project, 'dist', 'index.js');
const baseEnv = { PATH: process.env.PATH ?? '', API_BASE_URL: upstream, MCP_LOG_LEVEL: 'warn', MCP_AUDIT_LOG: 'off' };

const callParams = (i) => ({ name: 'getOrderById', arguments: { orderId: (i % 9) + 1 } });
function checkResult(result) {
  if (!result || result.isError) throw new Error(`tool error: ${JSON.stringify(result)}`);
}

// --- a minimal HTTP client -------------------------------------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function httpCall(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = request(url, { agent, method, headers: data ? { ...headers, 'content-length': data.length } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// --- direct ----------------------------------------------------------------------------------
const direct = await timeCalls(CALLS, async (i) => {
  const res = await httpCall(`${upstream}/store/order/${(i % 9) + 1}`);
  JSON.parse(res.text);
});
const directFetch = await timeCalls(CALLS, async (i) => {
  const res = await fetch(`${upstream}/store/order/${(i % 9) + 1}`);
  JSON.parse(await res.text());
});

// --- stdio: newline-delimited JSON-RPC on the child's stdin/stdout ----------------------------
const stdioServer = await startStdioRpc(entry, baseEnv, PROTOCOL);
const stdio = await timeCalls(CALLS, async (i) => checkResult((await stdioServer.rpc('tools/call', callParams(i))).result));
await stdioServer.stop();

// --- HTTP: JSON-RPC POSTs (stateless: no session; answers as JSON or one SSE event) ------------------
/** The JSON-RPC answer in a JSON body or in the data line of an event stream. */
function answerOf(text) {
  const data = text.split('\n').find((line) => line.startsWith('data: '));
  return JSON.parse(data === undefined ? text : data.slice('data: '.length));
}

async function freePort() {
  const probe = createNetServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startHttp(extraEnv, stderr = 'inherit') {
  // At warn, like the stdio server: a line per call on stderr is the operator's choice, not overhead.
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { ...baseEnv, ...extraEnv, MCP_TRANSPORT: 'http', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', stderr],
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; ; i++) {
    const up = await httpCall(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error('the HTTP server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const opened = await httpCall(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '0' } } }),
  });
  const id = opened.headers['mcp-session-id'];
  const session = { ...headers, ...(id ? { 'mcp-session-id': id } : {}), 'mcp-protocol-version': PROTOCOL };
  await httpCall(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  let nextId = 1;
  return {
    url,
    call: async (i) => {
      const res = await httpCall(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: callParams(i) }) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
      checkResult(answerOf(res.text).result);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

// Throughput: 16 concurrent callers; the bulkhead must not be the limit, so
// MCP_MAX_CONCURRENT is raised to the concurrency.
const http = await startHttp({ MCP_MAX_CONCURRENT: String(CONCURRENCY) });
const httpLatency = await timeCalls(CALLS, http.call);
const perSecond = await throughput(http.call);

// --- for reference: the SDK's Client on both transports -----------------------------------------
const sdkCall = (client) => async (i) => checkResult(await client.callTool(callParams(i)));
const sdkStdioClient = new Client({ name: 'bench', version: '0.0.0' });
await sdkStdioClient.connect(new StdioClientTransport({ command: process.execPath, args: [entry], env: baseEnv, stderr: 'ignore' }));
const sdkStdio = await timeCalls(CALLS, sdkCall(sdkStdioClient));
await sdkStdioClient.close();
// The SDK's HTTP client transport hands one AbortSignal to every fetch, and undici lets go of its
// listener on it only at garbage collection: thousands of calls trip Node's leak warning in this
// process (not in the server). Raised for the reference rows only.
EventEmitter.defaultMaxListeners = 0;
const sdkHttpClient = new Client({ name: 'bench', version: '0.0.0' });
await sdkHttpClient.connect(new StreamableHTTPClientTransport(new URL(http.url)));
const sdkHttp = await timeCalls(CALLS, sdkCall(sdkHttpClient));
const sdkPerSecond = await throughput(sdkCall(sdkHttpClient));
await sdkHttpClient.close();
await http.stop();

// The default log level writes a JSON line per call to stderr; here to a file, as under a supervisor.
const logFile = openSync(path.join(dir, 'server.log'), 'w');
const logged = await startHttp({ MCP_MAX_CONCURRENT: String(CONCURRENCY), MCP_LOG_LEVEL: 'info' }, logFile);
const loggedPerSecond = await throughput(logged.call);
await logged.stop();
closeSync(logFile);

agent.destroy();
stub.kill('SIGTERM');

rmSync(dir, { recursive: true, force: true });

console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, load ${loadavg()[0].toFixed(2)}; ${CALLS} sequential calls after ${WARMUP} warm-up; ` +
    'tool getOrderById (GET, JSON, output schema checked); client, server and stub share the machine\n',
);
console.log('| path | p50 ms | p99 ms | overhead p50 ms | overhead p99 ms |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| direct GET (node:http, keep-alive) | ${ms(direct.p50)} | ${ms(direct.p99)} | – | – |`);
const row = (label, s) => console.log(`| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.p50 - direct.p50)} | ${ms(s.p99 - direct.p99)} |`);
row('MCP over stdio', stdio);
row('MCP over Streamable HTTP', httpLatency);
console.log(`| *for reference:* direct GET with fetch | ${ms(directFetch.p50)} | ${ms(directFetch.p99)} | ${ms(directFetch.p50 - direct.p50)} | ${ms(directFetch.p99 - direct.p99)} |`);
row('*for reference:* MCP over stdio, SDK Client', sdkStdio);
row('*for reference:* MCP over HTTP, SDK Client', sdkHttp);
console.log(`\nHTTP throughput, ${CONCURRENCY} concurrent callers on one session, MCP_MAX_CONCURRENT=${CONCURRENCY}: ${rate(perSecond)}`);
console.log(`At MCP_LOG_LEVEL=info (a log line per call, to a file): ${rate(loggedPerSecond)}`);
console.log(`Through the SDK Client: ${rate(sdkPerSecond)}`);
