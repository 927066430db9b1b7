/** Inputs for the calculator tests and test/scripts/bench-expression.mjs: hostile cases and a seeded generator. */

/** [input, part of the expected message] — the mathjs security page's attacks and then some. */
export const HOSTILE: Array<[string, string]> = [
  ['import({x: 1})', '"import" is not an allowed function'],
  ["createUnit('foo')", '"createUnit" is not an allowed function'],
  ["evaluate('1+1')", '"evaluate" is not an allowed function'],
  ["parse('1')", '"parse" is not an allowed function'],
  ["simplify('x+x')", '"simplify" is not an allowed function'],
  ['a = 5', 'assignment (=) is not allowed'],
  ['f(x) = x', 'defining a function is not allowed'],
  ['[1, 2, 3]', 'a matrix or list ([...]) is not allowed'],
  ['{a: 1}', 'an object ({...}) is not allowed'],
  ['1:100000000', 'a range (a:b) is not allowed'],
  ['pi.constructor', 'property access (.x or [x]) is not allowed'],
  ['cos.constructor("return process")()', 'cannot parse the expression'],
  ['sqrt["constructor"]', 'property access (.x or [x]) is not allowed'],
  ['"abc"', '"abc" is not a number'],
  ['1; 2', 'more than one expression (; or newline) is not allowed'],
  ['1\n2', 'more than one expression (; or newline) is not allowed'],
  ['true ? 1 : 2', 'a conditional (? :) is not allowed'],
  ['1 > 2 ? 1 : 2', 'a conditional (? :) is not allowed'],
  ['process.exit()', 'only the listed functions can be called, not process.exit'],
  ["require('fs')", '"require" is not an allowed function'],
  ['x', 'unknown name "x"'],
  ['__proto__', 'unknown name "__proto__"'],
  ['5 cm to inch', 'the operator "to" is not allowed'],
  ['2 == 2', 'the operator "==" is not allowed'],
  ['1 & 3', 'the operator "&" is not allowed'],
  ['factorial(100000)', 'the result is not a finite number (Infinity)'],
  ['10^10^10^10', 'the result is not a finite number (Infinity)'],
  ['1 / 0', 'the result is not a finite number (Infinity)'],
  ['sqrt(-1)', 'the result is not a finite number (NaN)'],
  ['1 +', 'cannot parse the expression: Unexpected end of expression (char 4)'],
  ['2 * (3 + 4', 'cannot parse the expression: Parenthesis ) expected (char 11)'],
  ['', 'the expression is empty'],
  ['1+'.repeat(300) + '1', 'at most 500 are allowed'],
  ['('.repeat(100) + '1' + ')'.repeat(100), 'nested more than 64 levels deep'],
];

const FUNCTIONS = ['sqrt', 'abs', 'round', 'floor', 'ceil', 'exp', 'log', 'log10', 'sin', 'cos', 'tan', 'atan', 'min', 'max', 'pow', 'hypot', 'factorial'];
const BINARY = ['+', '-', '*', '/', '^', '%', ' mod '];
const FRAGMENTS = ['import(1)', 'a = 1', '[1]', '1:9', 'x.y', '"s"', '1;2', 'true ? 1 : 2', 'evaluate("1")', '{a: 1}', 'f(x) = 1', 'cm', '1 to 2', '1 == 1', '(', ')'];

/** mulberry32: a tiny seeded PRNG, so the 1,000 cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateExpressions(count: number, seed: number): string[] {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const term = (depth: number): string => {
    const r = rand();
    if (depth > 3 || r < 0.35) return pick(['1', '2', '3.5', '10', '0.25', '42', 'pi', 'e', '7']);
    if (r < 0.55) return `(${term(depth + 1)}${pick(BINARY)}${term(depth + 1)})`;
    if (r < 0.75) {
      const fn = pick(FUNCTIONS);
      const arity = ['min', 'max', 'pow', 'hypot'].includes(fn) ? 2 : 1;
      return `${fn}(${Array.from({ length: arity }, () => term(depth + 1)).join(', ')})`;
    }
    if (r < 0.85) return `-${term(depth + 1)}`;
    return pick(FRAGMENTS);
  };
  return Array.from({ length: count }, () => `${term(0)}${pick(BINARY)}${term(0)}`);
}
