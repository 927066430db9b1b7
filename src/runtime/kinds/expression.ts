/**
 * The `expression` tool kind: the tutorial's calculator without `eval`. Following mathjs's own
 * security notes (mathjs.org/docs/expressions/security.html), the text goes through four gates
 * before a number comes out, and each refusal names what is wrong and where:
 *
 * 1. Characters: only digits, letters, `_`, blanks, `+ - * / ^ % ! ( ) ,` and a dot inside a
 *    number. Strings, `=`, `[ ]`, `{ }`, `:`, `;`, `?`, line breaks and member access (`.x`) die
 *    here, so mathjs's parser never sees the syntax for assignment, objects, matrices, ranges,
 *    blocks, conditionals or property access.
 * 2. Names: every name must be one of the spec's constants, or one of its functions directly
 *    followed by `(`; `mod` is also the modulo operator; `to`, `in`, `and`, `or`, `xor`, `not`
 *    are refused. Size is bounded here too (tokens, nested parentheses, number range).
 * 3. mathjs's parser builds the tree (its syntax errors carry a char position).
 * 4. The tree is checked against an allow-list of node types and operators, as a second line
 *    should gates 1–2 ever miss something.
 *
 * Evaluation runs on a mathjs instance created with only the parser, the arithmetic operators
 * and the allowed functions — no units, matrices, strings, bignumbers or complex numbers
 * (`predictable`: sqrt(-1) is NaN, not a complex number) — and with import, createUnit,
 * evaluate, parse, compile, simplify, derivative, resolve and reviver replaced by functions that
 * throw, so even a name slipping past the checks could not reach them.
 *
 * Why no allowed expression can run long, with no worker or timer (mathjs is synchronous):
 * - at most MAX_TOKENS tokens, so the tree has at most a few nodes per token and mathjs's
 *   recursive parser and compiler stay far from the stack limit (about 4x headroom, measured);
 *   parentheses, which cost the parser ~25 frames a level, are capped at MAX_PARENTHESES;
 * - every allowed function takes plain numbers and costs O(1) or O(its argument count): the
 *   only loops are factorial (≤ 170 multiplications, larger refused), gcd/lcm (Euclid on safe
 *   integers, ≤ 78 steps) and median (a sort of at most MAX_TOKENS arguments);
 * - no bignumbers, so `10^10^10^10` is Infinity at once (then refused) rather than a huge
 *   exact power.
 * So evaluation is linear in the (bounded) token count; test/scripts/bench-expression.mjs
 * measures it.
 *
 * Results are plain finite numbers: NaN and ±Infinity (not JSON) are refused with a ToolError
 * saying why; -0 becomes 0.
 */
import {
  absDependencies, acosDependencies, acoshDependencies, addDependencies, asinDependencies, asinhDependencies,
  atan2Dependencies, atanDependencies, atanhDependencies, cbrtDependencies, ceilDependencies, cosDependencies,
  coshDependencies, cotDependencies, create, cscDependencies, cubeDependencies, divideDependencies, expDependencies,
  expm1Dependencies, factorialDependencies, fixDependencies, floorDependencies, hypotDependencies,
  isConstantNode, isFunctionNode, isOperatorNode, isParenthesisNode, isSymbolNode, log10Dependencies,
  log1pDependencies, log2Dependencies, logDependencies, maxDependencies, meanDependencies, medianDependencies,
  minDependencies, modDependencies, multiplyDependencies, nthRootDependencies, parseDependencies, powDependencies,
  roundDependencies, secDependencies, signDependencies, sinDependencies, sinhDependencies, sqrtDependencies,
  squareDependencies, subtractDependencies, tanDependencies, tanhDependencies, unaryMinusDependencies,
  unaryPlusDependencies,
} from 'mathjs';
import type { FactoryFunctionMap, MathNode } from 'mathjs';
import { ToolError } from '../backend.js';
import type { ToolExecutor } from '../backend.js';
import type { ExpressionBinding } from '../definition.js';
import { renderTemplate } from '../template.js';
import { ALLOWED_CONSTANTS, ALLOWED_FUNCTIONS, CONSTANT_VALUES, type MATHJS_FUNCTION_NAMES } from './expression-names.js';

/** The mathjs factory of each function a spec may list (the names are in expression-names.ts; the type makes both lists agree). */
const MATHJS_FUNCTIONS: Record<(typeof MATHJS_FUNCTION_NAMES)[number], FactoryFunctionMap | undefined> = {
  abs: absDependencies, acos: acosDependencies, acosh: acoshDependencies, asin: asinDependencies,
  asinh: asinhDependencies, atan: atanDependencies, atan2: atan2Dependencies, atanh: atanhDependencies,
  cbrt: cbrtDependencies, ceil: ceilDependencies, cos: cosDependencies, cosh: coshDependencies, cot: cotDependencies,
  csc: cscDependencies, cube: cubeDependencies, exp: expDependencies, expm1: expm1Dependencies,
  factorial: factorialDependencies, fix: fixDependencies, floor: floorDependencies,
  hypot: hypotDependencies, log: logDependencies, log10: log10Dependencies,
  log1p: log1pDependencies, log2: log2Dependencies, max: maxDependencies, mean: meanDependencies,
  median: medianDependencies, min: minDependencies, mod: modDependencies, nthRoot: nthRootDependencies,
  pow: powDependencies, round: roundDependencies, sec: secDependencies, sign: signDependencies, sin: sinDependencies,
  sinh: sinhDependencies, sqrt: sqrtDependencies, square: squareDependencies, tan: tanDependencies,
  tanh: tanhDependencies,
};

const OPERATOR_FUNCTIONS = ['add', 'subtract', 'multiply', 'divide', 'pow', 'mod', 'unaryMinus', 'unaryPlus', 'factorial'];
/** mathjs keywords that are operators outside arithmetic (unit conversion, logic). */
const KEYWORD_OPERATORS = new Set(['to', 'in', 'and', 'or', 'xor', 'not']);
/** The stack and time bounds explained at the top of this file. */
const MAX_TOKENS = 500;
const MAX_PARENTHESES = 32;
/** Tree nodes: a token yields at most a few (`2pi` adds an implicit *, `5%` a divide by 100). */
const MAX_NODES = 4 * MAX_TOKENS;
/** 170! ≈ 7.3e306 is the largest factorial a double holds. */
const MAX_FACTORIAL = 170;
/** Significant digits a double carries without noise (0.1 + 0.2 gives 0.3). */
const MAX_PRECISION = 15;

export interface Calculation {
  /** The expression as given. */
  expression: string;
  /** A finite number, rounded to the requested significant digits. */
  result: number;
}

export interface Calculator {
  /** Throws ToolError, with what is wrong and where, for anything but a finite number. */
  evaluate(text: string, precision?: number): Calculation;
}

export interface CalculatorOptions {
  functions: readonly string[];
  constants: readonly string[];
  maxLength: number;
}

interface Rules {
  functions: ReadonlySet<string>;
  constants: ReadonlySet<string>;
  maxLength: number;
}

// ---------------------------------------------------------------------------------------------
// The restricted mathjs instance (one per process: it holds no per-call state)

type Parse = (text: string) => MathNode;

const parse = restrictedMath();

function restrictedMath(): Parse {
  const functionDependencies = Object.values(MATHJS_FUNCTIONS);
  const operatorDependencies = [addDependencies, subtractDependencies, multiplyDependencies, divideDependencies, powDependencies, modDependencies, unaryMinusDependencies, unaryPlusDependencies, factorialDependencies];
  const math = create(Object.assign({ parseDependencies }, ...functionDependencies, ...operatorDependencies) as FactoryFunctionMap, { number: 'number', predictable: true });
  const { parse: parser, log, fix, factorial } = math;
  math.import(
    {
      ln: math.typed('ln', { number: (x: number) => log(x) }),
      trunc: math.typed('trunc', { number: (x: number) => fix(x) }),
      // Also what the `!` operator calls.
      factorial: math.typed('factorial', { number: (n: number) => boundedFactorial(n, factorial) }),
      gcd: math.typed('gcd', { '...number': (values: number[]) => wholeNumbers('gcd', values).reduce(gcd) }),
      lcm: math.typed('lcm', { '...number': (values: number[]) => wholeNumbers('lcm', values).reduce(lcm) }),
    },
    { override: true },
  );
  // mathjs builds functions lazily: build the allowed ones now, before `import` is disabled.
  const namespace = math as unknown as Record<string, unknown>;
  for (const name of [...ALLOWED_FUNCTIONS, ...OPERATOR_FUNCTIONS]) void namespace[name];
  const disabled = ['import', 'createUnit', 'evaluate', 'parse', 'compile', 'simplify', 'derivative', 'resolve', 'reviver'];
  math.import(Object.fromEntries(disabled.map((name) => [name, refuse(name)])), { override: true });
  return parser;
}

function boundedFactorial(n: number, factorial: (n: number) => number): number {
  if (n > MAX_FACTORIAL) throw new ToolError(`factorial of ${n} is too large: at most ${MAX_FACTORIAL}! fits in a number`);
  return factorial(n);
}

function wholeNumbers(name: string, values: number[]): number[] {
  const bad = values.find((value) => !Number.isSafeInteger(value));
  if (bad !== undefined) throw new ToolError(`${name} takes whole numbers up to ±${Number.MAX_SAFE_INTEGER}, got ${bad}`);
  return values;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a);
}

function lcm(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const result = Math.abs((a / gcd(a, b)) * b);
  if (result > Number.MAX_SAFE_INTEGER) throw new ToolError(`lcm is beyond ${Number.MAX_SAFE_INTEGER}, where whole numbers stop being exact`);
  return result;
}

function refuse(name: string): () => never {
  return () => {
    throw new ToolError(`"${name}" is disabled`);
  };
}

// ---------------------------------------------------------------------------------------------
// The calculator

export function createCalculator(options: CalculatorOptions): Calculator {
  const rules = calculatorRules(options);
  const scope = Object.entries(CONSTANT_VALUES).filter(([name]) => rules.constants.has(name));
  return {
    evaluate(text, precision) {
      const digits = checkPrecision(precision);
      checkLength(text, rules.maxLength);
      checkTokens(tokenize(text), rules);
      const tree = parseChecked(text);
      checkTree(tree, rules);
      return { expression: text, result: round(compute(tree, scope), digits) };
    },
  };
}

/** Names outside the allow-lists are a spec error (the generator refuses them), not a user error. */
function calculatorRules(options: CalculatorOptions): Rules {
  const unknown = [
    ...options.functions.filter((name) => !ALLOWED_FUNCTIONS.includes(name)).map((name) => `function "${name}"`),
    ...options.constants.filter((name) => !ALLOWED_CONSTANTS.includes(name)).map((name) => `constant "${name}"`),
  ];
  if (unknown.length) throw new Error(`expression tool: ${unknown.join(', ')} not allowed (functions: ${ALLOWED_FUNCTIONS.join(', ')}; constants: ${ALLOWED_CONSTANTS.join(', ')})`);
  if (!Number.isInteger(options.maxLength) || options.maxLength < 1) throw new Error(`expression tool: maxLength must be a positive integer, got ${options.maxLength}`);
  return { functions: new Set(options.functions), constants: new Set(options.constants), maxLength: options.maxLength };
}

function checkPrecision(precision: number | undefined): number {
  if (precision === undefined) return MAX_PRECISION;
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_PRECISION) {
    throw new ToolError(`precision must be a whole number of significant digits from 1 to ${MAX_PRECISION}, got ${precision}`);
  }
  return precision;
}

function checkLength(text: string, maxLength: number): void {
  if (text.length > maxLength) throw new ToolError(`the expression is ${text.length} characters long; at most ${maxLength} are allowed`);
  if (text.trim() === '') throw new ToolError('the expression is empty');
}

function parseChecked(text: string): MathNode {
  try {
    return parse(text);
  } catch (err) {
    throw new ToolError(`cannot parse the expression: ${messageOf(err)}`);
  }
}

function compute(tree: MathNode, scope: Array<[string, number]>): number {
  let value: unknown;
  try {
    // A fresh scope per call: nothing an expression does can outlive it.
    value = tree.compile().evaluate(new Map(scope));
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError(`cannot evaluate the expression: ${messageOf(err)}`);
  }
  if (typeof value !== 'number') throw new ToolError(`the result is not a number but ${typeof value}`);
  if (Number.isNaN(value)) throw new ToolError('the result is not a number (NaN): a function got a value outside its domain, e.g. sqrt(-1) or log(-1)');
  if (!Number.isFinite(value)) throw new ToolError(`the result is ${value}: division by zero or a number beyond ±1.8e308`);
  return value;
}

function round(value: number, digits: number): number {
  const rounded = Number(value.toPrecision(digits));
  return rounded === 0 ? 0 : rounded;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Gate 1: characters

interface Token {
  kind: 'number' | 'name' | 'operator' | 'open' | 'close' | 'comma';
  text: string;
  /** 1-based character position, as in mathjs's "(char N)". */
  at: number;
}

const BLANK = /[ \t]+/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** What an unexpected character is shown as: comparison and shift operators as a whole. */
const UNEXPECTED = /[=!<>]=|<<|>>>?|[\s\S]/uy;
const PUNCTUATION: Record<string, Token['kind']> = {
  '+': 'operator', '-': 'operator', '*': 'operator', '/': 'operator', '^': 'operator', '%': 'operator', '!': 'operator',
  '(': 'open', ')': 'close', ',': 'comma',
};

/** Why a character is refused, for the usual attempts. */
const REASONS: Record<string, string> = {
  '=': 'assignment (=) is not allowed',
  '==': 'comparisons are not allowed', '!=': 'comparisons are not allowed', '<=': 'comparisons are not allowed',
  '>=': 'comparisons are not allowed', '<': 'comparisons are not allowed', '>': 'comparisons are not allowed',
  '<<': 'bitwise operators are not allowed', '>>': 'bitwise operators are not allowed', '>>>': 'bitwise operators are not allowed',
  '&': 'bitwise and logical operators are not allowed', '|': 'bitwise and logical operators are not allowed',
  '~': 'bitwise and logical operators are not allowed',
  '[': 'matrices, lists and indexing are not allowed', ']': 'matrices, lists and indexing are not allowed',
  '{': 'objects are not allowed', '}': 'objects are not allowed',
  ':': 'ranges (a:b) are not allowed',
  ';': 'write a single expression',
  '\n': 'write a single expression', '\r': 'write a single expression',
  '?': 'conditionals (a ? b : c) are not allowed',
  '"': 'strings are not allowed', "'": 'strings are not allowed', '`': 'strings are not allowed',
  '.': 'a dot may only appear inside a number (no property access)',
  '×': 'write * to multiply', '·': 'write * to multiply', '÷': 'write / to divide', '−': 'write - (ASCII minus)',
  'π': 'write pi', '√': 'write sqrt(x)', '²': 'write ^2', '³': 'write ^3',
};

/** Splits the text into tokens; throws at the first character outside the allowed set. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const blank = matchAt(BLANK, text, i);
    if (blank) {
      i += blank.length;
      continue;
    }
    const token = readToken(text, i);
    // Stop early: a spec may allow long texts, but work stays proportional to MAX_TOKENS.
    if (tokens.push(token) > MAX_TOKENS) throw new ToolError(`the expression has more than ${MAX_TOKENS} parts (numbers, names, operators, parentheses)`);
    i += token.text.length;
  }
  return tokens;
}

function readToken(text: string, i: number): Token {
  const at = i + 1;
  const number = matchAt(NUMBER, text, i);
  if (number) {
    if (!Number.isFinite(Number(number))) throw new ToolError(`the number at char ${at} is too large (beyond ±1.8e308)`);
    return { kind: 'number', text: number, at };
  }
  const name = matchAt(NAME, text, i);
  if (name) return { kind: 'name', text: name, at };
  const c = text[i]!;
  const kind = text.startsWith('!=', i) ? undefined : PUNCTUATION[c];
  if (kind) return { kind, text: c, at };
  throw unexpected(matchAt(UNEXPECTED, text, i) ?? c, at);
}

function matchAt(pattern: RegExp, text: string, i: number): string | undefined {
  pattern.lastIndex = i;
  return pattern.exec(text)?.[0];
}

function unexpected(text: string, at: number): ToolError {
  const shown = text === '\n' || text === '\r' ? 'line break' : JSON.stringify(text);
  const reason = REASONS[text];
  return new ToolError(`unexpected ${shown} at char ${at}${reason ? `: ${reason}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Gate 2: names and size

function checkTokens(tokens: Token[], rules: Rules): void {
  let depth = 0;
  tokens.forEach((token, i) => {
    if (token.kind === 'open' && ++depth > MAX_PARENTHESES) throw new ToolError(`more than ${MAX_PARENTHESES} nested parentheses at char ${token.at}`);
    if (token.kind === 'close') depth -= 1;
    if (token.kind === 'operator' && token.text === '!' && !rules.functions.has('factorial')) {
      throw new ToolError(`"!" at char ${token.at} is not allowed: factorial is not one of this tool's functions`);
    }
    if (token.kind === 'name') checkName(token, tokens[i - 1], tokens[i + 1], rules);
  });
}

function checkName(token: Token, previous: Token | undefined, next: Token | undefined, rules: Rules): void {
  const { text: name, at } = token;
  const called = next?.kind === 'open';
  if (name === 'mod' && endsOperand(previous)) return;
  if (KEYWORD_OPERATORS.has(name)) throw new ToolError(`the operator "${name}" at char ${at} is not allowed; use + - * / ^ % mod${rules.functions.has('factorial') ? ' !' : ''}`);
  if (called) {
    if (rules.functions.has(name)) return;
    if (rules.constants.has(name)) throw new ToolError(`"${name}" at char ${at} is a constant, not a function`);
    throw new ToolError(`"${name}" at char ${at} is not an allowed function (${listed(rules.functions, 'allowed', 'functions')})`);
  }
  if (rules.constants.has(name)) return;
  if (rules.functions.has(name)) throw new ToolError(`"${name}" at char ${at} is a function: call it as ${name}(…)`);
  throw new ToolError(`unknown name "${name}" at char ${at} (${listed(rules.constants, 'constants', 'constants')})`);
}

/** Whether `mod` after this token is the binary operator, as mathjs's parser reads it. */
function endsOperand(token: Token | undefined): boolean {
  if (!token) return false;
  return token.kind === 'number' || token.kind === 'close' || (token.kind === 'name' && token.text !== 'mod' && !KEYWORD_OPERATORS.has(token.text)) || token.text === '!';
}

function listed(names: ReadonlySet<string>, label: string, noun: string): string {
  return names.size ? `${label}: ${[...names].join(', ')}` : `this tool has no ${noun}`;
}

// ---------------------------------------------------------------------------------------------
// Gate 4: the tree (gate 3 is mathjs's parser)

const OPERATORS = new Set(OPERATOR_FUNCTIONS);

/** Walks the tree without recursion; throws a ToolError naming the first node that is not allowed. */
function checkTree(root: MathNode, rules: Rules): void {
  const pending = [root];
  let count = 0;
  for (let node = pending.pop(); node; node = pending.pop()) {
    count += 1;
    if (count > MAX_NODES) throw new ToolError(`the expression has more than ${MAX_NODES} parts`);
    pending.push(...allowedChildren(node, rules));
  }
}

function allowedChildren(node: MathNode, rules: Rules): MathNode[] {
  if (isConstantNode(node)) {
    if (typeof node.value !== 'number' || !Number.isFinite(node.value)) throw new ToolError(`${JSON.stringify(String(node.value))} is not allowed: only finite numbers are`);
    return [];
  }
  if (isSymbolNode(node)) {
    if (!rules.constants.has(node.name)) throw new ToolError(`unknown name "${node.name}"`);
    return [];
  }
  if (isParenthesisNode(node)) return [node.content];
  if (isOperatorNode(node)) {
    const fn: string = node.fn;
    if (!OPERATORS.has(fn) || (fn === 'factorial' && !rules.functions.has('factorial'))) throw new ToolError(`the operator "${node.op}" is not allowed`);
    return node.args;
  }
  if (isFunctionNode(node)) {
    const callee = node.fn;
    if (!isSymbolNode(callee)) throw new ToolError('only functions called by name are allowed');
    if (!rules.functions.has(callee.name)) throw new ToolError(`"${callee.name}" is not an allowed function`);
    return node.args;
  }
  throw new ToolError(`${node.type.replace(/Node$/, '').toLowerCase()} expressions are not allowed`);
}

// ---------------------------------------------------------------------------------------------
// The tool executor

// Keyed by the binding object, which lives as long as the server's definition.
const calculators = new WeakMap<ExpressionBinding, Calculator>();

function calculatorFor(binding: ExpressionBinding): Calculator {
  let calculator = calculators.get(binding);
  if (!calculator) {
    calculator = createCalculator(binding);
    calculators.set(binding, calculator);
  }
  return calculator;
}

export const expressionBackend: ToolExecutor<ExpressionBinding> = async (tool, args, ctx) => {
  const binding = tool.binding;
  const text = expressionText(renderTemplate(binding.input, { args }, ctx.config.env));
  const precision = binding.precision === undefined ? undefined : precisionValue(renderTemplate(binding.precision, { args }, ctx.config.env));
  return calculatorFor(binding).evaluate(text, precision);
};

function expressionText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null || value === undefined) throw new ToolError('no expression was given');
  throw new ToolError(`the expression must be text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

/** An omitted precision (null, undefined or '') means full precision; digits may arrive as text. */
function precisionValue(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  throw new ToolError(`precision must be a whole number of significant digits, got ${JSON.stringify(value)}`);
}
