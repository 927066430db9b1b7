// Times the calculator (src/runtime/kinds/expression.ts, built into dist/) on the 1,000 generated
// expressions and the hostile cases the tests use, then on the largest inputs its limits let
// through, which is where a slow expression would hide:
//   npm run build && node test/scripts/bench-expression.mjs
// Times are per evaluate() call (all four gates plus evaluation), refused inputs included.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The shared cases live in TypeScript next to the tests; compile just that file.
const out = mkdtempSync(path.join(tmpdir(), 'bench-expression-'));
execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), path.join(repo, 'test', 'runtime', 'expression-cases.ts'), '--outDir', out, '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck']);
const { generateExpressions, HOSTILE } = await import(pathToFileURL(path.join(out, 'expression-cases.js')).href);
const { createCalculator, ALLOWED_FUNCTIONS, ALLOWED_CONSTANTS } = await import(pathToFileURL(path.join(repo, 'dist', 'runtime', 'expression.js')).href);

const calculator = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 500 });
// A spec may raise maxLength; the token and nesting limits must hold the time down on their own.
const roomy = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 200_000 });

const BIG_HOSTILE = [
  '1+'.repeat(51_200) + '1',
  '('.repeat(10_000) + '1' + ')'.repeat(10_000),
  'factorial(100000)',
  '10^10^10^10',
  'cos.constructor("return process")()',
];

/** Inputs just inside the limits (500 tokens, 32 nested parentheses) that do the most work. */
const LARGEST = {
  'sum of 250 terms': Array(250).fill('1.5').join('+'),
  '499 unary minus': '-'.repeat(499) + '1',
  'power tower of 250': Array(250).fill('1.0001').join('^'),
  '32 nested sqrt + chains': 'sqrt('.repeat(32) + Array(100).fill('2').join('*') + ')'.repeat(32),
  'median of 249 args': `median(${Array.from({ length: 249 }, (_, i) => (i * 7919) % 1000).join(',')})`,
  'hypot of 249 args': `hypot(${Array(249).fill('3').join(',')})`,
  '70 gcd calls, worst-case pairs': Array(70).fill('gcd(8944394323791464, 5527939700884757)').join('+'),
  '125 factorials of 170': Array(125).fill('170!').join('/'),
  '501 tokens (refused)': Array(251).fill('1').join('+'),
  '100,000 spaces then 1': ' '.repeat(100_000) + '1',
};

function time(calc, text) {
  const started = process.hrtime.bigint();
  let refused = false;
  try {
    calc.evaluate(text);
  } catch {
    refused = true;
  }
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, refused };
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const fmt = (ms) => ms.toFixed(3);

const inputs = [...generateExpressions(1000, 42), ...HOSTILE.map(([text]) => text)];
const cold = time(calculator, inputs[0]);
for (const text of inputs.slice(0, 50)) time(calculator, text);

const times = [];
let refused = 0;
for (const text of inputs) {
  const run = time(calculator, text);
  times.push(run.ms);
  if (run.refused) refused += 1;
}
for (const text of BIG_HOSTILE) {
  const run = time(roomy, text);
  times.push(run.ms);
  if (run.refused) refused += 1;
}
times.sort((a, b) => a - b);
console.log(`expressions: ${times.length} (1,000 generated, ${HOSTILE.length + BIG_HOSTILE.length} hostile; ${refused} refused, ${times.length - refused} numbers)`);
console.log(`evaluation ms: p50 ${fmt(percentile(times, 0.5))}  p95 ${fmt(percentile(times, 0.95))}  p99 ${fmt(percentile(times, 0.99))}  max ${fmt(times.at(-1))}  (first call, cold: ${fmt(cold.ms)})`);

console.log('largest inputs within the limits (maxLength 200,000), 200 runs each (ms):');
for (const [name, text] of Object.entries(LARGEST)) {
  const runs = Array.from({ length: 200 }, () => time(roomy, text));
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  const stats = `first ${fmt(runs[0].ms)}  p50 ${fmt(percentile(sorted, 0.5))}  p99 ${fmt(percentile(sorted, 0.99))}  max ${fmt(sorted.at(-1))}`;
  console.log(`  ${name.padEnd(32)} ${stats}${runs[0].refused ? '  (refused)' : ''}`);
}
