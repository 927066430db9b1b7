/** The calculator kind: a restricted mathjs parser, correct on arithmetic and closed to everything else. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToolError } from '../../src/runtime/backend.js';
import type { BackendContext } from '../../src/runtime/backend.js';
import { loadConfig } from '../../src/runtime/config.js';
import type { ExpressionBinding, ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { createCalculator, expressionBackend } from '../../src/runtime/kinds/expression.js';
import { ALLOWED_CONSTANTS, ALLOWED_FUNCTIONS } from '../../src/runtime/kinds/expression-names.js';
import type { Calculator } from '../../src/runtime/kinds/expression.js';
import { createServer } from '../../src/runtime/server.js';
import { generateExpressions, HOSTILE } from './expression-cases.js';

const calculator = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 500 });
/** Same rules with room for huge inputs, to reach the token and nesting limits behind the length limit. */
const roomy = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 200_000 });

/** The ToolError `run` throws; fails the test if it returns or throws anything else. */
function refusal(run: () => unknown): ToolError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ToolError);
    return err as ToolError;
  }
  throw new Error('expected a ToolError, got a result');
}

describe('allow-lists', () => {
  it('offer scalar maths, the ln/trunc aliases, and none of mathjs’s dangerous functions', () => {
    expect(ALLOWED_FUNCTIONS).toEqual(expect.arrayContaining(['sqrt', 'cbrt', 'abs', 'round', 'floor', 'ceil', 'trunc', 'fix', 'min', 'max', 'exp', 'log', 'ln', 'log10', 'log2', 'pow', 'mod', 'sin', 'atan2', 'sinh', 'factorial', 'gcd', 'lcm', 'hypot', 'sign', 'nthRoot', 'mean', 'median']));
    for (const name of ['import', 'createUnit', 'evaluate', 'parse', 'compile', 'simplify', 'derivative', 'resolve', 'reviver', 'config', 'typed', 'chain', 'random', 'combinations', 'isPrime', 'matrix', 'range']) {
      expect(ALLOWED_FUNCTIONS).not.toContain(name);
    }
    expect(ALLOWED_CONSTANTS).toEqual(expect.arrayContaining(['pi', 'e', 'tau', 'phi']));
    expect(ALLOWED_CONSTANTS).not.toContain('Infinity');
    expect(ALLOWED_CONSTANTS).not.toContain('NaN');
  });

  it('a calculator cannot be built with names outside them (a spec error, not a ToolError)', () => {
    expect(() => createCalculator({ functions: ['sqrt', 'evaluate'], constants: ['pi'], maxLength: 10 })).toThrow('function "evaluate" not allowed');
    expect(() => createCalculator({ functions: [], constants: ['Infinity'], maxLength: 10 })).toThrow('constant "Infinity" not allowed');
    expect(() => createCalculator({ functions: [], constants: [], maxLength: 0 })).toThrow('maxLength must be a positive integer');
  });
});

describe('createCalculator: correct arithmetic', () => {
  it.each([
    ['2 * (3 + 4) ^ 2 / sqrt(16)', 24.5],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['10 / 4 * 2', 5],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -2', 0.25],
    ['2 ^ 3 ^ 2', 512],
    ['2 - -3', 5],
    ['+4 - +1', 3],
    ['-3!', -6],
    ['7 % 3', 1],
    ['7 mod 3', 1],
    ['mod(-7, 3)', 2],
    ['50%', 0.5],
    ['5!', 120],
    ['factorial(170) / factorial(169)', 170],
    ['2pi', 6.28318530718],
    ['2(3 + 4)', 14],
    ['(2)(3)', 6],
    ['1e3 + .5', 1000.5],
    ['tau / pi', 2],
    ['phi ^ 2 - phi', 1],
    ['ln(e ^ 3)', 3],
    ['log(e)', 1],
    ['log(8, 2)', 3],
    ['log10(1000) + log2(1024)', 13],
    ['sqrt(16) + cbrt(-27)', 1],
    ['nthRoot(81, 4)', 3],
    ['abs(-3.5) + sign(-2)', 2.5],
    ['round(2.5) + floor(-1.5) + ceil(1.2)', 3],
    ['round(pi, 3)', 3.142],
    ['trunc(-2.7) + fix(2.7)', 0],
    ['max(1, 7, 3) - min(4, 2)', 5],
    ['hypot(3, 4)', 5],
    ['gcd(12, 18) + lcm(4, 6)', 18],
    ['mean(1, 2, 3, 4) + median(5, 1, 3)', 5.5],
    ['exp(0) + cos(0)', 2],
    ['sin(pi / 6) + log10(1000)', 3.5],
    ['tan(pi / 4)', 1],
    ['atan2(1, 1) * 4', 3.14159265359],
    ['asin(1) * 2', 3.14159265359],
    ['sinh(0) + cosh(0)', 1],
    ['1 / 3', 0.333333333333],
    ['1 / (1 / 0)', 0],
  ])('%s = %d', (text, want) => {
    expect(calculator.evaluate(text, 12)).toEqual({ expression: text, result: want });
  });

  it('gives 15 significant digits by default, which hides binary noise', () => {
    expect(calculator.evaluate('0.1 + 0.2').result).toBe(0.3);
    expect(calculator.evaluate('e').result).toBe(2.71828182845905);
    expect(calculator.evaluate('-0').result).toBe(0);
    expect(Object.is(calculator.evaluate('-0').result, 0)).toBe(true);
  });

  it('rounds to the requested significant digits and refuses impossible precisions', () => {
    expect(calculator.evaluate('1 / 3', 3).result).toBe(0.333);
    expect(calculator.evaluate('pi * 1000', 4).result).toBe(3142);
    expect(calculator.evaluate('123456', 2).result).toBe(120000);
    expect(calculator.evaluate('2 / 3', 1).result).toBe(0.7);
    for (const bad of [0, 16, 2.5, Number.NaN]) {
      expect(refusal(() => calculator.evaluate('1', bad)).message).toBe(`precision must be a whole number of significant digits from 1 to 15, got ${bad}`);
    }
  });

  it('only the spec-listed functions and constants, with the lists in the message', () => {
    const small = createCalculator({ functions: ['sqrt'], constants: ['pi'], maxLength: 100 });
    expect(small.evaluate('sqrt(16) * pi', 5).result).toBe(12.566);
    expect(refusal(() => small.evaluate('1 + sin(1)')).message).toBe('"sin" at char 5 is not an allowed function (allowed: sqrt)');
    expect(refusal(() => small.evaluate('e')).message).toBe('unknown name "e" at char 1 (constants: pi)');
    expect(refusal(() => small.evaluate('3!')).message).toBe('"!" at char 2 is not allowed: factorial is not one of this tool\'s functions');
    expect(refusal(() => small.evaluate('sqrt')).message).toBe('"sqrt" at char 1 is a function: call it as sqrt(…)');
    expect(refusal(() => small.evaluate('pi(2)')).message).toBe('"pi" at char 1 is a constant, not a function');
    const bare = createCalculator({ functions: [], constants: [], maxLength: 100 });
    expect(bare.evaluate('6 * 7').result).toBe(42);
    expect(refusal(() => bare.evaluate('sqrt(4)')).message).toBe('"sqrt" at char 1 is not an allowed function (this tool has no functions)');
    expect(refusal(() => bare.evaluate('2 pi')).message).toBe('unknown name "pi" at char 3 (this tool has no constants)');
  });

  it('reports mathjs syntax and evaluation errors with their position or cause', () => {
    expect(refusal(() => calculator.evaluate('1 +')).message).toBe('cannot parse the expression: Unexpected end of expression (char 4)');
    expect(refusal(() => calculator.evaluate('2 * (3 + 4')).message).toBe('cannot parse the expression: Parenthesis ) expected (char 11)');
    expect(refusal(() => calculator.evaluate('2 3')).message).toBe('cannot parse the expression: Unexpected part "3" (char 3)');
    expect(refusal(() => calculator.evaluate('sqrt(1, 2)')).message).toBe('cannot evaluate the expression: Too many arguments in function sqrt (expected: 1, actual: 2)');
    expect(refusal(() => calculator.evaluate('ln(8, 2)')).message).toBe('cannot evaluate the expression: Too many arguments in function ln (expected: 1, actual: 2)');
  });

  it('gcd and lcm: exact on whole numbers up to 2^53, refused beyond', () => {
    expect(calculator.evaluate('gcd(-12, 18) + gcd(0, 0) + gcd(7)').result).toBe(13);
    expect(calculator.evaluate('lcm(4, 6, 10) + lcm(0, 5)').result).toBe(60);
    expect(calculator.evaluate('gcd(2971215073, 1836311903)').result).toBe(1);
    expect(refusal(() => calculator.evaluate('gcd(2.5, 5)')).message).toBe('gcd takes whole numbers up to ±9007199254740991, got 2.5');
    expect(refusal(() => calculator.evaluate('gcd(4660046610375530309, 7540113804746346429)')).message).toBe('gcd takes whole numbers up to ±9007199254740991, got 4660046610375530000');
    expect(refusal(() => calculator.evaluate('lcm(9007199254740991, 9007199254740990)')).message).toBe('lcm is beyond 9007199254740991, where whole numbers stop being exact');
    expect(refusal(() => calculator.evaluate('gcd()')).message).toMatch(/^cannot evaluate the expression: Too few arguments in function gcd/);
  });
});

/** [input, the whole message or its start] — the mathjs security page's attacks, the brief's list, and then some. */
const HOSTILE_CASES: Array<[string, string]> = [
  ['import({x: 1})', 'unexpected "{" at char 8: objects are not allowed'],
  ['import(1)', '"import" at char 1 is not an allowed function (allowed: abs, acos,'],
  ["createUnit('foo')", 'unexpected "\'" at char 12: strings are not allowed'],
  ['createUnit(1)', '"createUnit" at char 1 is not an allowed function'],
  ["evaluate('1+1')", 'unexpected "\'" at char 10: strings are not allowed'],
  ['evaluate(1)', '"evaluate" at char 1 is not an allowed function'],
  ["parse('1')", 'unexpected "\'" at char 7: strings are not allowed'],
  ['parse(1)', '"parse" at char 1 is not an allowed function'],
  ['compile(1)', '"compile" at char 1 is not an allowed function'],
  ['simplify(1)', '"simplify" at char 1 is not an allowed function'],
  ['derivative(1, 1)', '"derivative" at char 1 is not an allowed function'],
  ['resolve(1)', '"resolve" at char 1 is not an allowed function'],
  ['reviver(1)', '"reviver" at char 1 is not an allowed function'],
  ['config(1)', '"config" at char 1 is not an allowed function'],
  ['typed(1)', '"typed" at char 1 is not an allowed function'],
  ['chain(3)', '"chain" at char 1 is not an allowed function'],
  ['a = 5', 'unexpected "=" at char 3: assignment (=) is not allowed'],
  ['f(x) = x', 'unexpected "=" at char 6: assignment (=) is not allowed'],
  ['[1, 2, 3]', 'unexpected "[" at char 1: matrices, lists and indexing are not allowed'],
  ['sqrt[1]', 'unexpected "[" at char 5: matrices, lists and indexing are not allowed'],
  ['{a: 1}', 'unexpected "{" at char 1: objects are not allowed'],
  ['1:100000000', 'unexpected ":" at char 2: ranges (a:b) are not allowed'],
  ['x.constructor', 'unexpected "." at char 2: a dot may only appear inside a number (no property access)'],
  ['pi.constructor', 'unexpected "." at char 3: a dot may only appear inside a number (no property access)'],
  ['cos.constructor("return process")()', 'unexpected "." at char 4: a dot may only appear inside a number (no property access)'],
  ['"abc"', 'unexpected "\\"" at char 1: strings are not allowed'],
  ['`abc`', 'unexpected "`" at char 1: strings are not allowed'],
  ['1;2', 'unexpected ";" at char 2: write a single expression'],
  ['1\n2', 'unexpected line break at char 2: write a single expression'],
  ['true ? 1 : 2', 'unexpected "?" at char 6: conditionals (a ? b : c) are not allowed'],
  ['process.exit()', 'unexpected "." at char 8: a dot may only appear inside a number (no property access)'],
  ['process', 'unknown name "process" at char 1 (constants: e, pi,'],
  ["require('fs')", 'unexpected "\'" at char 9: strings are not allowed'],
  ['require(1)', '"require" at char 1 is not an allowed function'],
  ['Function(1)', '"Function" at char 1 is not an allowed function'],
  ['eval(1)', '"eval" at char 1 is not an allowed function'],
  ['__proto__', 'unknown name "__proto__" at char 1'],
  ['constructor', 'unknown name "constructor" at char 1'],
  ['toString()', '"toString" at char 1 is not an allowed function'],
  ['hasOwnProperty(1)', '"hasOwnProperty" at char 1 is not an allowed function'],
  ['Infinity', 'unknown name "Infinity" at char 1'],
  ['NaN', 'unknown name "NaN" at char 1'],
  ['true', 'unknown name "true" at char 1'],
  ['null', 'unknown name "null" at char 1'],
  ['5 cm to inch', 'unknown name "cm" at char 3'],
  ['1 to 2', 'the operator "to" at char 3 is not allowed; use + - * / ^ % mod !'],
  ['not 1', 'the operator "not" at char 1 is not allowed'],
  ['1 and 1', 'the operator "and" at char 3 is not allowed'],
  ['2 == 2', 'unexpected "==" at char 3: comparisons are not allowed'],
  ['2 != 3', 'unexpected "!=" at char 3: comparisons are not allowed'],
  ['1 < 2', 'unexpected "<" at char 3: comparisons are not allowed'],
  ['1 << 40', 'unexpected "<<" at char 3: bitwise operators are not allowed'],
  ['1 & 3', 'unexpected "&" at char 3: bitwise and logical operators are not allowed'],
  ['~1', 'unexpected "~" at char 1: bitwise and logical operators are not allowed'],
  ["[1, 2]'", 'unexpected "[" at char 1'],
  ['0x10', 'unknown name "x10" at char 2'],
  ['$x', 'unexpected "$" at char 1'],
  ['3 × 4', 'unexpected "×" at char 3: write * to multiply'],
  ['2π', 'unexpected "π" at char 2: write pi'],
  ['factorial(100000)', 'factorial of 100000 is too large: at most 170! fits in a number'],
  ['100000!', 'factorial of 100000 is too large: at most 170! fits in a number'],
  ['10^10^10^10', 'the result is Infinity: division by zero or a number beyond ±1.8e308'],
  ['1 / 0', 'the result is Infinity: division by zero or a number beyond ±1.8e308'],
  ['-1 / 0', 'the result is -Infinity: division by zero or a number beyond ±1.8e308'],
  ['sqrt(-1)', 'the result is not a number (NaN): a function got a value outside its domain'],
  ['1e400', 'the number at char 1 is too large (beyond ±1.8e308)'],
  ['', 'the expression is empty'],
  ['   ', 'the expression is empty'],
  ['1+'.repeat(51_200) + '1', 'the expression is 102401 characters long; at most 500 are allowed'],
  ['('.repeat(10_000) + '1' + ')'.repeat(10_000), 'the expression is 20001 characters long; at most 500 are allowed'],
];

/** Behind a generous length limit, the structural limits still hold. */
const SIZE_CASES: Array<[string, string]> = [
  ['('.repeat(10_000) + '1' + ')'.repeat(10_000), 'the expression has more than 500 parts (numbers, names, operators, parentheses)'],
  ['('.repeat(40) + '1' + ')'.repeat(40), 'more than 32 nested parentheses at char 33'],
  ['sqrt('.repeat(40) + '1' + ')'.repeat(40), 'more than 32 nested parentheses at char 165'],
  ['-'.repeat(600) + '1', 'the expression has more than 500 parts'],
  ['1' + '^1'.repeat(300), 'the expression has more than 500 parts'],
  ['1'.repeat(100_000), 'the number at char 1 is too large (beyond ±1.8e308)'],
];

/** Test titles that stay readable for 100 KB inputs. */
function titled(cases: Array<[string, string]>): Array<{ title: string; text: string; message: string }> {
  return cases.map(([text, message]) => ({ title: text.length > 50 ? `${text.slice(0, 30)}… (${text.length} characters)` : text, text, message }));
}

describe('createCalculator: hostile input is refused, precisely, with no side effect', () => {
  const marker = Symbol.for('mcp-gen.expression-test');
  let globals: string[];
  let objectProto: string[];
  let functionProto: string[];
  const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
    throw new Error('process.exit was called');
  });

  beforeAll(() => {
    (globalThis as Record<symbol, unknown>)[marker] = 'intact';
    globals = Object.getOwnPropertyNames(globalThis).sort();
    objectProto = Object.getOwnPropertyNames(Object.prototype).sort();
    functionProto = Object.getOwnPropertyNames(Function.prototype).sort();
  });
  afterAll(() => {
    exit.mockRestore();
    delete (globalThis as Record<symbol, unknown>)[marker];
  });
  afterEach(() => {
    expect(exit).not.toHaveBeenCalled();
    expect((globalThis as Record<symbol, unknown>)[marker]).toBe('intact');
    expect(Object.getOwnPropertyNames(globalThis).sort()).toEqual(globals);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectProto);
    expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(functionProto);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // The shared mathjs instance is intact: names still mean what they meant.
    expect(calculator.evaluate('pi').result).toBe(3.14159265358979);
    expect(calculator.evaluate('sqrt(16) + 5!').result).toBe(124);
  });

  it.each(titled(HOSTILE_CASES))('$title', ({ text, message }) => {
    expect(refusal(() => calculator.evaluate(text)).message.slice(0, message.length)).toBe(message);
  });

  it.each(titled(SIZE_CASES))('$title (length limit 200,000)', ({ text, message }) => {
    expect(refusal(() => roomy.evaluate(text)).message.slice(0, message.length)).toBe(message);
  });

  it('every input of the shared hostile list (also run by the e2e test) is refused with a ToolError', () => {
    for (const [text] of HOSTILE) refusal(() => calculator.evaluate(text));
  });

  it('cannot reach the file system', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'expression-')), 'pwned');
    for (const text of [`require('fs').writeFileSync('${file}', 'x')`, 'import(fs)', 'writeFileSync(1, 2)']) refusal(() => roomy.evaluate(text));
    expect(existsSync(file)).toBe(false);
  });
});

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Token soup: valid pieces, hostile pieces and stray characters in any order, to reach every gate. */
function soup(count: number, seed: number): string[] {
  const rand = seeded(seed);
  const pieces = ['1', '2.5', '170', '1e308', '.5', 'pi', 'e', 'sqrt(', 'max(', 'factorial(', 'log(', 'mod', ',', '(', '(', ')', ')', '+', '-', '*', '/', '^', '%', '!', ' ', 'x', '=', '[', ']', '.', '"', "'", ';', '?', ':', '{', '}', '\n', 'import(', 'to', 'π', '\u0000', '\uD800', '😀'];
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(rand() * 30) }, () => pieces[Math.floor(rand() * pieces.length)]!).join(''));
}

describe('createCalculator: generated input', () => {
  /** Every input either gives a finite number or a ToolError; returns the counts and the slowest call. */
  function run(calc: Calculator, inputs: string[]): { evaluated: number; refused: number; slowestMs: number } {
    let evaluated = 0;
    let refused = 0;
    let slowestMs = 0;
    for (const text of inputs) {
      const started = performance.now();
      try {
        const { result } = calc.evaluate(text);
        expect(Number.isFinite(result), text).toBe(true);
        evaluated += 1;
      } catch (err) {
        expect(err, text).toBeInstanceOf(ToolError);
        refused += 1;
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }
    return { evaluated, refused, slowestMs };
  }

  it('1,000 generated expressions (grammar plus hostile fragments): a finite number or a ToolError, quickly', () => {
    const started = performance.now();
    const { evaluated, refused, slowestMs } = run(calculator, generateExpressions(1000, 42));
    expect(evaluated + refused).toBe(1000);
    // Both branches run, so the generator is neither all-valid nor all-hostile.
    expect(evaluated).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
    // A safety net against a hang, not a benchmark (test/scripts/bench-expression.mjs measures).
    expect(performance.now() - started).toBeLessThan(5000);
    expect(slowestMs).toBeLessThan(1000);
  });

  it('2,000 strings of token soup: a finite number or a ToolError, never anything else', () => {
    const { evaluated, refused } = run(roomy, soup(2000, 7));
    expect(evaluated + refused).toBe(2000);
    expect(evaluated).toBeGreaterThan(0);
  });
});

describe('expressionBackend', () => {
  const binding: ExpressionBinding = { kind: 'expression', input: '${args.expression}', precision: '${args.precision}', functions: ['sqrt'], constants: ['pi'], maxLength: 50 };
  const tool: ToolDefinition & { binding: ExpressionBinding } = {
    name: 'calculate',
    description: 'calculator',
    inputSchema: { type: 'object' },
    annotations: {},
    binding,
  };
  const ctx = { config: { env: {} } } as unknown as BackendContext;

  it('renders the expression and precision templates; digits may come as text, an omitted precision is full', async () => {
    await expect(expressionBackend(tool, { expression: 'sqrt(2)', precision: 3 }, ctx)).resolves.toEqual({ expression: 'sqrt(2)', result: 1.41 });
    await expect(expressionBackend(tool, { expression: 'sqrt(2)', precision: '4' }, ctx)).resolves.toEqual({ expression: 'sqrt(2)', result: 1.414 });
    await expect(expressionBackend(tool, { expression: 'sqrt(2)' }, ctx)).resolves.toEqual({ expression: 'sqrt(2)', result: 1.4142135623731 });
    await expect(expressionBackend(tool, { expression: 42 }, ctx)).resolves.toEqual({ expression: '42', result: 42 });
  });

  it('interpolates arguments into a fixed formula', async () => {
    const area = { ...tool, binding: { ...binding, input: 'pi * ${args.r} ^ 2', precision: '4' } };
    await expect(expressionBackend(area, { r: 2 }, ctx)).resolves.toEqual({ expression: 'pi * 2 ^ 2', result: 12.57 });
    // An argument is only text to the calculator: it cannot smuggle in anything the checks refuse.
    await expect(expressionBackend(area, { r: '1; import(1)' }, ctx)).rejects.toThrow('unexpected ";" at char 7: write a single expression');
  });

  it('refuses a missing or non-text expression and a non-numeric precision', async () => {
    await expect(expressionBackend(tool, {}, ctx)).rejects.toThrow(new ToolError('no expression was given'));
    await expect(expressionBackend(tool, { expression: [1] }, ctx)).rejects.toThrow(new ToolError('the expression must be text, got a list'));
    await expect(expressionBackend(tool, { expression: '1', precision: 'high' }, ctx)).rejects.toThrow(new ToolError('precision must be a whole number of significant digits, got "high"'));
  });
});

describe('expression tools through the SDK', () => {
  const definition: ServerDefinition = {
    formatVersion: 1,
    server: { name: 'calc', version: '1.0.0', envPrefix: 'CALC' },
    baseUrls: [],
    auth: [],
    tools: [
      {
        name: 'calculate',
        description: 'calculator',
        inputSchema: {
          type: 'object',
          properties: { expression: { type: 'string' }, precision: { type: 'integer', minimum: 1, maximum: 15 } },
          required: ['expression'],
          additionalProperties: false,
        },
        outputSchema: { type: 'object', properties: { expression: { type: 'string' }, result: { type: 'number' } }, required: ['expression', 'result'] },
        annotations: { readOnlyHint: true },
        binding: { kind: 'expression', input: '${args.expression}', precision: '${args.precision}', functions: ['sqrt'], constants: ['pi'], maxLength: 50 },
      },
    ],
  };
  let client: Client;

  beforeAll(async () => {
    const server = createServer(definition, loadConfig(definition, {}), { backends: { expression: expressionBackend } });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientTransport);
  });
  afterAll(async () => client?.close());

  it('returns structured content', async () => {
    const ok = await client.callTool({ name: 'calculate', arguments: { expression: 'sqrt(2) * pi', precision: 6 } });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ expression: 'sqrt(2) * pi', result: 4.44288 });
    const full = await client.callTool({ name: 'calculate', arguments: { expression: '2 * (3 + 4) ^ 2 / sqrt(16)' } });
    expect(full.structuredContent).toEqual({ expression: '2 * (3 + 4) ^ 2 / sqrt(16)', result: 24.5 });
  });

  it.each([
    ['import(1)', '"import" at char 1 is not an allowed function (allowed: sqrt)'],
    ['a = 5', 'unexpected "=" at char 3: assignment (=) is not allowed'],
    ['cos.constructor("return process")()', 'unexpected "." at char 4: a dot may only appear inside a number (no property access)'],
    ['1/0', 'the result is Infinity: division by zero or a number beyond ±1.8e308'],
    ['1+'.repeat(30) + '1', 'the expression is 61 characters long; at most 50 are allowed'],
  ])('a hostile %j is an isError result with the precise message', async (expression, message) => {
    const result = await client.callTool({ name: 'calculate', arguments: { expression } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: message }]);
    expect(result.structuredContent).toBeUndefined();
  });
});
