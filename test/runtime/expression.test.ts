/** The calculator kind: a restricted mathjs parser, correct on arithmetic and closed to everything else. */
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/runtime/backend.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';
import { ALLOWED_CONSTANTS, ALLOWED_FUNCTIONS, createCalculator, expressionBackend } from '../../src/runtime/expression.js';
import { connect } from './fixtures.js';
import { generateExpressions, HOSTILE } from './expression-cases.js';

const calculator = createCalculator({ functions: ALLOWED_FUNCTIONS, constants: ALLOWED_CONSTANTS, maxLength: 500 });

describe('createCalculator', () => {
  it.each([
    ['2 * (3 + 4) ^ 2 / sqrt(16)', 24.5],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ 3 ^ 2', 512],
    ['7 mod 3', 1],
    ['7 % 3', 1],
    ['5!', 120],
    ['2pi', 6.28318530718],
    ['sin(pi / 6) + log10(1000)', 3.5],
    ['max(1, 7, 3) - min(4, 2)', 5],
    ['atan2(1, 1) * 4', 3.14159265359],
    ['log(e)', 1],
    ['round(2.5) + floor(-1.5) + ceil(1.2)', 3],
    ['hypot(3, 4)', 5],
    ['1 / 3', 0.333333333333],
  ])('%s = %d', (text, want) => {
    expect(calculator.evaluate(text, 12).result).toBe(want);
  });

  it('rounds to the requested significant digits', () => {
    expect(calculator.evaluate('1 / 3', 3).result).toBe(0.333);
    expect(calculator.evaluate('pi * 1000', 4).result).toBe(3142);
  });

  it('only the spec-listed functions and constants', () => {
    const small = createCalculator({ functions: ['sqrt'], constants: ['pi'], maxLength: 100 });
    expect(small.evaluate('sqrt(16) * pi', 5).result).toBe(12.566);
    expect(() => small.evaluate('sin(1)')).toThrow('"sin" is not an allowed function (allowed: sqrt)');
    expect(() => small.evaluate('e')).toThrow('unknown name "e" (constants: pi)');
    expect(() => small.evaluate('3!')).toThrow('factorial (!) is not an allowed function');
  });

  it.each(HOSTILE)('refuses %j with a precise message and no side effect', (text, message) => {
    const before = Object.getOwnPropertyNames(globalThis).length;
    expect(() => calculator.evaluate(text)).toThrow(ToolError);
    expect(() => calculator.evaluate(text)).toThrow(message);
    expect(Object.getOwnPropertyNames(globalThis).length).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The shared mathjs instance is intact.
    expect(calculator.evaluate('pi', 15).result).toBeCloseTo(Math.PI, 12);
  });

  it('1,000 generated expressions: each a finite number or a ToolError, never anything else', () => {
    let evaluated = 0;
    let refused = 0;
    for (const text of generateExpressions(1000, 42)) {
      try {
        expect(Number.isFinite(calculator.evaluate(text).result)).toBe(true);
        evaluated += 1;
      } catch (err) {
        expect(err, text).toBeInstanceOf(ToolError);
        refused += 1;
      }
    }
    expect(evaluated + refused).toBe(1000);
    // Both branches are exercised, so the generator is not trivially all-valid or all-hostile.
    expect(evaluated).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
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
        inputSchema: { type: 'object', properties: { expression: { type: 'string' }, precision: { type: 'integer', default: 6 } }, required: ['expression'], additionalProperties: false },
        outputSchema: { type: 'object', properties: { expression: { type: 'string' }, result: { type: 'number' } }, required: ['expression', 'result'] },
        annotations: { readOnlyHint: true },
        binding: { kind: 'expression', input: '${args.expression}', precision: '${args.precision || `6`}', functions: ['sqrt'], constants: ['pi'], maxLength: 50 },
      },
    ],
  };

  it('returns structured content, and a precise tool error for a hostile input', async () => {
    const client = await connect(definition, {}, { backends: { expression: expressionBackend } });
    const ok = await client.callTool({ name: 'calculate', arguments: { expression: 'sqrt(2) * pi' } });
    expect(ok.structuredContent).toEqual({ expression: 'sqrt(2) * pi', result: 4.44288 });
    const bad = await client.callTool({ name: 'calculate', arguments: { expression: 'import({x: 1})' } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('\\"import\\" is not an allowed function (allowed: sqrt)');
    const long = await client.callTool({ name: 'calculate', arguments: { expression: '1+'.repeat(30) + '1' } });
    expect(JSON.stringify(long.content)).toContain('at most 50 are allowed');
    await client.close();
  });
});
