// `mcp-gen --version` against a bare `node -e 0`: both commands in turn, N rounds (default 30), so
// that drift of a shared machine hits both alike; prints the medians and their ratio.
//   npm run build && node test/scripts/bench-version.mjs [N]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'mcp-gen.cjs');
const rounds = Number(process.argv[2] ?? 30);
const commands = [[process.execPath, ['-e', '0']], [process.execPath, [cli, '--version']]];
const times = commands.map(() => []);
// Without the extra CA bundle some environments set: reading it slows every start alike and makes
// the ratio look better than it is.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
for (let i = 0; i < rounds; i++) {
  commands.forEach(([file, args], k) => {
    const started = process.hrtime.bigint();
    const run = spawnSync(file, args, { stdio: 'ignore', env });
    if (run.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${run.status}`);
    times[k].push(Number(process.hrtime.bigint() - started) / 1e6);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const [bare, version] = times.map(median);
console.log(`node -e 0: ${bare.toFixed(1)} ms; mcp-gen --version: ${version.toFixed(1)} ms; ratio ${(version / bare).toFixed(2)} (medians of ${rounds})`);
