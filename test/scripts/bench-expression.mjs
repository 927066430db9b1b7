// Times the calculator (src/runtime/expression.ts) on the 1,000 generated expressions and the
// hostile cases the tests use: `npm run build && node test/scripts/bench-expression.mjs`.
// Prints evaluation times (parse + check + evaluate) per expression; refused inputs included.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The cases live in TypeScript next to the tests; compile just that file.
const out = mkdtempSync(path.join(tmpdir(), 'bench-expression-'));
execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), path.join(repo, 'test', 'runtime', 'expression-cases.ts'), '--outDir', out, '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck']);
const { generateExpressions, HOSTILE } = await import(pathToFileURL(path.join(out, 'expression-cases.js')).href);
const { createCalculator, ALLOWED_FUNCTIONS, ALLOWED_CONSTANTS } = await import(pathToFileURL(path.join(repo, 'dist', 'runtime', 'expression.js')).href);

const calculator = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 500 });
const inputs = [...generateExpressions(1000, 42), ...HOSTILE.map(([text]) => text)];
for (const text of inputs.slice(0, 50)) try { calculator.evaluate(text); } catch { /* warm-up */ }

const times = [];
let refused = 0;
for (const text of inputs) {
  const started = process.hrtime.bigint();
  try {
    calculator.evaluate(text);
  } catch {
    refused += 1;
  }
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3);
console.log(`expressions: ${inputs.length} (${refused} refused)`);
console.log(`evaluation ms: p50 ${at(0.5)}  p95 ${at(0.95)}  p99 ${at(0.99)}  max ${times[times.length - 1].toFixed(3)}`);
