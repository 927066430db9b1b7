/** jsonLength is JSON.stringify(x).length without building the string, for size budgets. */
import { expect, it } from 'vitest';
import { jsonLength } from '../../src/passes/json-size.js';
it('matches JSON.stringify', () => {
  const samples: unknown[] = [null, 1, -1.5e-7, true, false, 'a"b\\c\n\u0001', '\ud800x', '', [], {}, [1, undefined, () => 1, 'x'], { a: undefined, b: 1, 'k"y': [null, { c: 'd' }] }, JSON.parse('{"__proto__":{"x":1}}'), { n: NaN, i: Infinity }];
  for (const s of samples) expect(jsonLength(s), JSON.stringify(s)).toBe(JSON.stringify(s).length);
});

it('stops soon after passing the limit', () => {
  const big = { a: 'x'.repeat(100), b: Array.from({ length: 10_000 }, (_, i) => ({ i })) };
  const n = jsonLength(big, 50);
  expect(n).toBeGreaterThan(50);
  expect(n).toBeLessThan(200);
});
