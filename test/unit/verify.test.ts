import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, vi } from 'vitest';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { ALWAYS_COMPILES, alwaysCompiles, verifyTools } from '../../src/passes/verify.js';
import { validate2020, validateDraft07 } from '../../src/passes/meta-validators.js';

const tool = (name: string, inputSchema: Record<string, unknown>, outputSchema?: Record<string, unknown>): ToolDefinition => ({
  name,
  description: name,
  inputSchema,
  ...(outputSchema ? { outputSchema } : {}),
  annotations: {},
  binding: { kind: 'http', method: 'GET', path: `/${name}`, parameters: [], security: [] },
});

const definition = (tools: ToolDefinition[]): ServerDefinition => ({
  formatVersion: 1,
  server: { name: 'v', version: '1.0.0', envPrefix: 'V' },
  baseUrls: [],
  auth: [],
  tools,
});

describe('verifyTools', () => {
  it('checks a repeated schema once, under the role each tool gives it, and shares nothing that carries an $id', () => {
    const bad = () => ({ type: 'object', properties: { a: { type: 'string', pattern: '(' } } });
    const { definition: out, warnings } = verifyTools(definition([tool('a', { type: 'object' }, bad()), tool('b', bad()), tool('c', { type: 'object' }, { type: 'object' })]));
    expect(out.tools.map((t) => t.name)).toEqual(['c']);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^tool a is left out: its output schema does not compile/),
      expect.stringMatching(/^tool b is left out: its input schema does not compile/),
    ]);
    expect(out.tools[0]!.inputSchema).toBe(out.tools[0]!.outputSchema);
    // Two copies of one $id clash in ajv, as they do in a client that compiles the listing: the second is left out.
    const withId = () => ({ $id: 'https://example.com/pet', type: 'object' });
    const ids = verifyTools(definition([tool('p', withId()), tool('q', withId())]));
    expect(ids.definition.tools.map((t) => t.name)).toEqual(['p']);
  });

  it('keeps tools whose schemas every checker accepts', () => {
    const ok = tool('ok', { type: 'object', properties: { a: { type: 'string', format: 'date-time' } } }, { type: 'object' });
    const { definition: out, warnings } = verifyTools(definition([ok]));
    expect(out.tools).toEqual([ok]);
    expect(warnings).toEqual([]);
  });

  it.each([
    ['an unknown type', tool('bad', { type: 'object', properties: { a: { type: 'strng' } } }), /input schema is not valid JSON Schema 2020-12/],
    ['an unknown keyword (strict mode)', tool('bad', { type: 'object', properties: { a: { type: 'string', example: 'x' } } }), /strict mode: unknown keyword: "example"/],
    ['a keyword only draft-07 constrains', tool('bad', { type: 'object', additionalItems: 5 }), /input schema is not valid draft-07: data\/additionalItems must be object,boolean/],
    ['a broken output schema', tool('bad', { type: 'object' }, { type: 'object', required: 'id' }), /output schema is not valid JSON Schema 2020-12/],
    ['an invalid regex (found by compiling)', tool('bad', { type: 'object', properties: { a: { type: 'string', pattern: '(' } } }), /does not compile as JSON Schema 2020-12/],
    ['a root the SDK refuses', tool('bad', { type: 'array', items: { type: 'string' } }), /MCP SDK rejects its tools\/list entry/],
    ['a property schema the SDK refuses (true)', tool('bad', { type: 'object', properties: { x: true } }), /MCP SDK rejects its tools\/list entry: \/inputSchema\/properties\/x must be object,array/],
  ])('leaves out a tool with %s, naming it and why', (_name, bad, message) => {
    const good = tool('good', { type: 'object' });
    const { definition: out, warnings } = verifyTools(definition([bad, good]));
    expect(out.tools.map((t) => t.name)).toEqual(['good']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^tool bad is left out: /);
    expect(warnings[0]!.message).toMatch(message);
    expect(warnings[0]!.pointer).toEqual(['paths', '/bad', 'get']);
  });

  it('does not compile at generation what cannot fail to, and lint compiles it all the same', () => {
    // The pattern makes the input schema one to compile; the output schema's keywords cannot fail.
    const input = { type: 'object', properties: { a: { type: 'string', pattern: '^a' } } };
    const output = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { enum: ['x'] } } }, required: ['id'] };
    expect(alwaysCompiles(input)).toBe(false);
    expect(alwaysCompiles(output)).toBe(true);
    expect(alwaysCompiles({ type: 'object', properties: { e: { enum: [] } } })).toBe(false);
    expect(alwaysCompiles({ type: 'object', properties: { format: { type: 'string', format: 'date' } } })).toBe(false);
    // A property named like a keyword is a name, not a keyword.
    expect(alwaysCompiles({ type: 'object', properties: { pattern: { type: 'string' }, if: { type: 'string' } } })).toBe(true);
    // Large enough for ajv's generated code to overflow V8's stack (2,095 properties; 440 nested items): compiled.
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 2100 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 450; i++) deep = { type: 'array', items: deep };
    expect(alwaysCompiles(wide)).toBe(false);
    expect(alwaysCompiles(deep)).toBe(false);
    expect(verifyTools(definition([tool('wide', wide)])).warnings[0]?.message).toMatch(/^tool wide is left out: its input schema does not compile/);
    const compiled = (full: boolean) => {
      const compile = vi.spyOn(Ajv2020.prototype, 'compile');
      try {
        verifyTools(definition([tool('t', input, output)]), { full });
        const schemas = compile.mock.calls.map(([schema]) => schema);
        return { input: schemas.includes(input), output: schemas.includes(output) };
      } finally {
        compile.mockRestore();
      }
    };
    expect(compiled(false)).toEqual({ input: true, output: false });
    expect(compiled(true)).toEqual({ input: true, output: true });
  });

  it('compiles every random schema made of ALWAYS_COMPILES keywords that the meta-schemas accept', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[next(xs.length)]!;
    const names = ['a', 'b', 'default', 'enum', 'pattern', '__proto__', 'if'];
    const json = (): unknown => pick<() => unknown>([() => next(100) - 50, () => 'x', () => null, () => true, () => [next(3)], () => ({ k: 'v' }), () => 0.5])();
    const types = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'];
    const schema = (depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const key of ALWAYS_COMPILES) {
        if (next(5) !== 0) continue;
        const sub = () => (depth > 2 ? { type: pick(types) } : schema(depth + 1));
        const value = {
          type: () => (next(2) ? pick(types) : [pick(types), 'null']),
          properties: () => Object.fromEntries(names.filter(() => next(3) === 0).map((n) => [n, sub()])),
          required: () => names.filter(() => next(3) === 0),
          items: sub,
          additionalProperties: () => (next(2) ? sub() : next(2) === 0),
          not: sub,
          anyOf: () => [sub(), sub()],
          oneOf: () => [sub()],
          allOf: () => [sub(), sub()],
          enum: () => [json(), 'only'],
          const: json,
          default: json,
          examples: () => [json()],
          multipleOf: () => 1 + next(4),
          uniqueItems: () => next(2) === 0,
          deprecated: () => next(2) === 0,
          readOnly: () => next(2) === 0,
          writeOnly: () => next(2) === 0,
        }[key];
        out[key] = value ? value() : key === 'title' || key === 'description' || key === '$comment' ? 'text' : next(20);
      }
      return out;
    };
    let checked = 0;
    for (let i = 0; i < 1500; i++) {
      const s = schema(0);
      s.type = 'object';
      if (!validate2020(s) || !validateDraft07(s)) continue;
      expect(alwaysCompiles(s)).toBe(true);
      const { warnings } = verifyTools(definition([tool('t', s)]), { full: true });
      expect(warnings.filter((w) => /does not compile/.test(w.message)), JSON.stringify(s)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });
});

