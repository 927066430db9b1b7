/**
 * The names a calculator spec may list (`functions:`, `constants:`): plain data, so the generator
 * checks a spec's names without loading mathjs. expression.ts builds the calculator from them.
 */

/**
 * mathjs functions a spec may list: each maps numbers to a number in bounded time. Left out on
 * purpose: combinations/permutations/isPrime (loops as long as their argument), random
 * (not idempotent), anything on matrices, strings or units.
 */
export const MATHJS_FUNCTION_NAMES = [
  'abs',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'cbrt',
  'ceil',
  'cos',
  'cosh',
  'cot',
  'csc',
  'cube',
  'exp',
  'expm1',
  'factorial',
  'fix',
  'floor',
  'hypot',
  'log',
  'log10',
  'log1p',
  'log2',
  'max',
  'mean',
  'median',
  'min',
  'mod',
  'nthRoot',
  'pow',
  'round',
  'sec',
  'sign',
  'sin',
  'sinh',
  'sqrt',
  'square',
  'tan',
  'tanh',
] as const;

/**
 * Names mathjs lacks that people (and models) write anyway: `ln(x)` is the natural logarithm
 * (mathjs `log(x)`, one argument only, so `ln(8, 2)` is an error rather than a base-2 log);
 * `trunc(x)` rounds toward zero (mathjs `fix(x)`).
 */
const ALIASES = ['ln', 'trunc'];

/**
 * gcd and lcm are implemented here: mathjs's number gcd calls its tolerant, typed `mod` on
 * every Euclid step (~7 µs each: 70 calls on worst-case pairs took 42 ms) and accepts integers
 * beyond 2^53, where the result is not exact anyway. Here they take safe integers only and use
 * `%` (exact on doubles): at most ~78 steps of a few nanoseconds.
 */
const OWN_FUNCTIONS = ['gcd', 'lcm'];

/** Function names a spec may list under `functions:`; the generator refuses any other. */
export const ALLOWED_FUNCTIONS: readonly string[] = Object.freeze([...MATHJS_FUNCTION_NAMES, ...ALIASES, ...OWN_FUNCTIONS].sort());

/**
 * Constant values. Infinity and NaN are not offered: a result must be a finite number anyway,
 * and `Infinity - Infinity` would only produce a refusal.
 */
export const CONSTANT_VALUES: Readonly<Record<string, number>> = {
  e: Math.E, pi: Math.PI, tau: 2 * Math.PI, phi: (1 + Math.sqrt(5)) / 2, LN2: Math.LN2, LN10: Math.LN10,
  LOG2E: Math.LOG2E, LOG10E: Math.LOG10E, SQRT1_2: Math.SQRT1_2, SQRT2: Math.SQRT2,
};

/** Constant names a spec may list under `constants:`; the generator refuses any other. */
export const ALLOWED_CONSTANTS: readonly string[] = Object.freeze(Object.keys(CONSTANT_VALUES));
