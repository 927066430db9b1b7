// The floor under any generation of one spec: starting Node and loading mcp-gen (the bundle,
// dist/mcp-gen.cjs, measured as `mcp-gen --version`), then reading and parsing the spec; and, for
// reference, what a full swagger-parser validation (the peer's first step) adds. Issue 4 asks for
// GitHub's spec in 0.5 s; this prints how much of that is gone before any work.
//
//   npm run build && node test/scripts/bench-floor.mjs /tmp/mcp-gen-bench/node_modules/@octokit/openapi/generated/api.github.com.json
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wall = (args) => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  return performance.now() - started;
};

const nodeOnly = median(Array.from({ length: 7 }, () => wall(['-e', '0'])));
const startup = median(Array.from({ length: 7 }, () => wall([path.join(REPO, 'dist', 'mcp-gen.cjs'), '--version'])));
const t0 = performance.now();
const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const parsed = performance.now() - t0;
const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
const t1 = performance.now();
await SwaggerParser.validate(doc);
const validated = performance.now() - t1;
console.log(
  `node start ${nodeOnly.toFixed(0)} ms, mcp-gen --version ${startup.toFixed(0)} ms (medians of 7), read + JSON.parse ${parsed.toFixed(0)} ms ` +
    `→ ${(startup + parsed).toFixed(0)} ms before any work; swagger-parser validate: ${validated.toFixed(0)} ms more`,
);
