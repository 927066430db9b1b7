import { describe, expect, it } from 'vitest';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { verifyTools } from '../../src/passes/verify.js';

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
});
