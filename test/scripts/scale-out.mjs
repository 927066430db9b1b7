// Scale-out check: 3 replicas (SCALE_REPLICAS) of generated/petstore behind HAProxy (round robin,
// no stickiness), everything on 127.0.0.1 and started and stopped here.
//
//   npm run build && node test/scripts/scale-out.mjs [calls]      (npm run scale-out)
//
// Through the balancer: the SDK 1.x Client, the SDK 2.x Client (legacy, auto, pinned to
// 2026-07-28) and the MCP Inspector CLI each list and call a tool; then calls/2 tool calls with
// every replica up (the aggregate throughput), and a load of `calls` tool calls (default 10,000) at
// concurrency 32, during which one replica gets SIGTERM. Every call must succeed (calls in flight
// finish; new ones go elsewhere once /readyz answers 503 and the connection closes), and that
// replica must exit 0 within its grace period. Prints the figures as Markdown.
//
// And the official conformance suite (@modelcontextprotocol/conformance on Node 22, fetched by npx)
// for 2025-11-25 and 2026-07-28, through the balancer and against one replica alone: the same
// scenarios must pass.
//
// HAProxy comes from Debian (`apt-get install -y haproxy`, done here when missing and root).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CALLS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = 32;
// SCALE_REPLICAS=2 measures what two replicas serve together (at least 2: one is stopped under load).
const REPLICAS = Math.max(2, Number(process.env.SCALE_REPLICAS) || 3);
const GRACE_MS = 10_000;

const log = (...args) => console.error('[scale-out]', ...args);
const CONFORMANCE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const INSPECTOR = '@modelcontextprotocol/inspector@0.15.0';

/**
 * A child process's output. Never spawnSync here: the upstream stub lives in this process, and a
 * blocked event loop leaves every tool call through it unanswered.
 */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The scenarios that pass, run by the official suite against `target`. */
async function conformancePasses(target, versionArgs) {
  const run_ = await run('npx', ['-y', '-p', 'node@22', '-p', CONFORMANCE, '--', 'conformance', 'server', '--url', target, ...versionArgs]);
  const passed = [...run_.stdout.matchAll(/^✓ ([\w-]+):/gm)].map((m) => m[1]).sort();
  const failed = [...run_.stdout.matchAll(/^✗ ([\w-]+):/gm)].map((m) => m[1]).sort();
  if (passed.length + failed.length === 0) throw new Error(`the conformance suite printed no summary:\n${run_.stdout}\n${run_.stderr}`);
  return { passed, failed };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function freePort() {
  const probe = createNetServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function haproxyBinary() {
  const found = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error('HAProxy is not installed: apt-get install -y haproxy (as root)');
  log('installing haproxy from Debian');
  execFileSync('apt-get', ['install', '-y', '-qq', 'haproxy'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return haproxyBinary();
}

// --- the project --------------------------------------------------------------------------------
const project = path.join(REPO, 'generated', 'petstore');
if (!existsSync(path.join(project, 'node_modules'))) symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'));
execFileSync('npm', ['run', 'build', '--silent'], { cwd: project, stdio: 'inherit' });

// --- the upstream: a small JSON order for getOrderById -------------------------------------------
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"petId":2,"quantity":1,"status":"placed","complete":false}'));
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const apiBase = `http://127.0.0.1:${upstream.address().port}/api/v3`;

// --- replicas and balancer -----------------------------------------------------------------------
const lbPort = await freePort();
const replicas = [];
for (let i = 0; i < REPLICAS; i++) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(project, 'dist', 'index.js')], {
    env: {
      ...process.env,
      MCP_TRANSPORT: 'http',
      PORT: String(port),
      HOST: '127.0.0.1',
      API_BASE_URL: apiBase,
      // Clients name the balancer in Host (and browsers in Origin).
      MCP_ALLOWED_HOSTS: `127.0.0.1:${lbPort},localhost:${lbPort}`,
      MCP_ALLOWED_ORIGINS: `http://127.0.0.1:${lbPort},http://localhost:${lbPort}`,
      MCP_MAX_CONCURRENT: String(CONCURRENCY),
      MCP_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      MCP_LOG_LEVEL: 'warn',
      MCP_AUDIT_LOG: 'off',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  replicas.push({ port, child, exited });
}
const work = mkdtempSync(path.join(tmpdir(), 'mcp-gen-scale-'));
const config = `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout check 2s
  retries 3
  option redispatch
  retry-on conn-failure empty-response
frontend mcp
  bind 127.0.0.1:${lbPort}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
${replicas.map((r, i) => `  server r${i + 1} 127.0.0.1:${r.port} check inter 500ms fall 1 rise 2`).join('\n')}
`;
writeFileSync(path.join(work, 'haproxy.cfg'), config);
// Its log (servers going down and up) is shown only when something failed.
const haproxyLog = [];
const haproxy = spawn(haproxyBinary(), ['-f', path.join(work, 'haproxy.cfg'), '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
haproxy.stderr.on('data', (chunk) => haproxyLog.push(String(chunk)));
const url = `http://127.0.0.1:${lbPort}/mcp`;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
function get(target) {
  return new Promise((resolve) => {
    const req = request(target, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}
const answerOf = (text) => {
  const data = text.split('\n').find((line) => line.startsWith('data: '));
  return JSON.parse(data === undefined ? text : data.slice('data: '.length));
};

const cleanup = async () => {
  for (const r of replicas) r.child.kill('SIGKILL');
  haproxy.kill('SIGKILL');
  upstream.closeAllConnections();
  upstream.close();
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
};

try {
  for (let i = 0; ; i++) {
    const ready = await Promise.all(replicas.map((r) => get(`http://127.0.0.1:${r.port}/readyz`)));
    const lb = await get(`http://127.0.0.1:${lbPort}/healthz`);
    if (ready.every((s) => s === 200) && lb === 200) break;
    if (i > 100) throw new Error(`replicas or balancer did not come up (${ready}, ${lb})`);
    await sleep(100);
  }
  await sleep(1000); // the balancer's checks mark every replica up

  // --- clients through the balancer ------------------------------------------------------------
  const rows = [];
  const clientCheck = async (label, connect) => {
    const { client, version } = await connect();
    const { tools } = await client.listTools();
    const result = await client.callTool({ name: 'getOrderById', arguments: { orderId: 3 } });
    const ok = tools.length === 9 && !result.isError;
    rows.push(`| ${label} | ${version} | ${tools.length} | ${ok ? 'ok' : 'FAILED'} |`);
    await client.close();
    if (!ok) throw new Error(`${label} failed`);
  };
  await clientCheck('SDK 1.x Client', async () => {
    const client = new ClientV1({ name: 'scale', version: '1' });
    const transport = new TransportV1(new URL(url));
    await client.connect(transport);
    return { client, version: transport.protocolVersion ?? '2025-11-25' };
  });
  for (const [label, mode] of [['SDK 2.x Client (legacy)', 'legacy'], ['SDK 2.x Client (auto)', 'auto'], ['SDK 2.x Client (pinned 2026-07-28)', { pin: '2026-07-28' }]]) {
    await clientCheck(label, async () => {
      const client = new ClientV2({ name: 'scale', version: '1' }, { versionNegotiation: { mode } });
      await client.connect(new TransportV2(new URL(url)));
      return { client, version: client.getNegotiatedProtocolVersion() };
    });
  }

  // The MCP Inspector's CLI (fetched by npx), as an operator would poke the endpoint.
  const inspector = (...args) => run('npx', ['-y', INSPECTOR, '--cli', url, '--transport', 'http', ...args]);
  const listedByInspector = await inspector('--method', 'tools/list');
  const calledByInspector = await inspector('--method', 'tools/call', '--tool-name', 'getOrderById', '--tool-arg', 'orderId=3');
  const inspectorTools = (() => {
    try {
      return JSON.parse(listedByInspector.stdout).tools.length;
    } catch {
      return 0;
    }
  })();
  const inspectorOk = inspectorTools === 9 && calledByInspector.status === 0 && !/"isError":\s*true/.test(calledByInspector.stdout);
  rows.push(`| MCP Inspector CLI (${INSPECTOR.split('@').pop()}) | negotiated by the Inspector | ${inspectorTools} | ${inspectorOk ? 'ok' : 'FAILED'} |`);
  if (!inspectorOk) throw new Error(`the Inspector CLI failed through the balancer: ${listedByInspector.stderr}${calledByInspector.stdout}${calledByInspector.stderr}`);

  // --- the conformance suite through the balancer and against one replica ---------------------
  const conformance = [];
  for (const [label, args] of [['2025-11-25', ['--spec-version', '2025-11-25']], ['2026-07-28', ['--requirements', '2026-07-28']]]) {
    const balanced = await conformancePasses(url, args);
    const single = await conformancePasses(`http://127.0.0.1:${replicas[0].port}/mcp`, args);
    const same = balanced.passed.join() === single.passed.join();
    conformance.push(`| ${label} | ${balanced.passed.length} pass, ${balanced.failed.length} fail | ${single.passed.length} pass, ${single.failed.length} fail | ${same ? 'yes' : `**no**: ${balanced.passed.filter((p) => !single.passed.includes(p)).concat(single.passed.filter((p) => !balanced.passed.includes(p))).join(', ')}`} |`);
    if (!same) process.exitCode = 1;
  }

  // --- load: all replicas up, then with one replica stopped a third of the way ----------------
  /** `calls` tool calls at CONCURRENCY through the balancer; `before(i)` runs ahead of call i. */
  async function drive(calls, before = () => undefined) {
    let next = 0;
    const result = { failures: 0, failed: [], latencies: [], seconds: 0 };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= calls) return;
          before(i);
          const t0 = performance.now();
          try {
            const res = await post(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'getOrderById', arguments: { orderId: (i % 9) + 1 } } }), { 'mcp-protocol-version': '2025-11-25' });
            const answer = res.status === 200 ? answerOf(res.text) : undefined;
            if (!answer?.result || answer.result.isError) {
              result.failures++;
              if (result.failed.length < 5) result.failed.push(`${res.status} ${res.text.slice(0, 160)}`);
            }
          } catch (err) {
            result.failures++;
            if (result.failed.length < 5) result.failed.push(String(err));
          }
          result.latencies.push(performance.now() - t0);
        }
      }),
    );
    result.seconds = (performance.now() - started) / 1000;
    result.latencies.sort((a, b) => a - b);
    return result;
  }
  // Warm-up first: the replicas' first thousands of calls run before the JIT has compiled them.
  const warm = await drive(Math.ceil(CALLS / 5));
  const steady = await drive(Math.ceil(CALLS / 2));
  const victim = replicas[1];
  let sigtermAt;
  const { failures: drainFailures, failed, latencies, seconds } = await drive(CALLS, (i) => {
    if (i !== Math.floor(CALLS / 3)) return;
    sigtermAt = performance.now();
    victim.child.kill('SIGTERM');
  });
  const failures = drainFailures + steady.failures + warm.failures;
  failed.push(...steady.failed, ...warm.failed);
  const stopped = await Promise.race([victim.exited, sleep(GRACE_MS + 5000).then(() => undefined)]);
  const pct = (p, xs = latencies) => xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)].toFixed(1);

  console.log(`\n### Scale-out through HAProxy (${REPLICAS} replicas of generated/petstore, round robin, no stickiness)\n`);
  console.log('| client | protocol | tools | list + call |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  console.log(`\n| conformance (${CONFORMANCE}) | through the balancer | one replica | same scenarios pass |\n| --- | --- | --- | --- |`);
  for (const row of conformance) console.log(row);
  console.log(`\n| load | value |\n| --- | --- |`);
  console.log(`| all ${REPLICAS} replicas up: ${steady.latencies.length} calls at concurrency ${CONCURRENCY} | **${Math.round(steady.latencies.length / steady.seconds)} calls/s** (${steady.seconds.toFixed(1)} s), p50 / p99 ${pct(0.5, steady.latencies)} / ${pct(0.99, steady.latencies)} ms, ${steady.failures} failures |`);
  console.log(`| then ${CALLS} calls, replica 2 stopped at call ${Math.floor(CALLS / 3)} | ${Math.round(CALLS / seconds)} calls/s (${seconds.toFixed(1)} s), p50 / p99 ${pct(0.5)} / ${pct(0.99)} ms |`);
  console.log(`| failures, all ${warm.latencies.length + steady.latencies.length + CALLS} calls | **${failures}** |`);
  console.log(
    `| replica 2 after SIGTERM (call ${Math.floor(CALLS / 3)}) | ${stopped ? `exit code ${stopped.code ?? stopped.signal}, ${Math.round(stopped.at - sigtermAt)} ms after the signal` : `still running after ${GRACE_MS + 5000} ms`} |`,
  );
  if (failed.length) console.log(`\nfirst failures:\n${failed.map((f) => `- ${f}`).join('\n')}\n\nHAProxy:\n${haproxyLog.join('')}`);
  if (failures > 0 || !stopped || stopped.code !== 0) process.exitCode = 1;
} finally {
  await cleanup();
}
