/**
 * Client profiles (src/passes/clients.ts, src/passes/inline-refs.ts): one test per repair rule and
 * per profile rule, and an oracle that checks a whole definition against a profile's rules, run
 * before (must find the problems of the fixture) and after the profile is applied (must find none).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../../src/generate.js';
import { CLIENT_NAMES, type ClientName } from '../../src/choices.js';
import { applyClientProfile, constToEnum, cutText, nameBudget, PROFILES } from '../../src/passes/clients.js';
import { inlineRefs } from '../../src/passes/inline-refs.js';
import type { JsonSchema, ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';

/** Everything in a definition that the client of `profile` would refuse, as readable lines. */
function violations(definition: ServerDefinition, client: ClientName): string[] {
  const p = PROFILES[client];
  const out: string[] = [];
  for (const t of definition.tools) {
    const full = p.prefix(definition.server.name) + t.name;
    if (full.length > p.nameLimit) out.push(`${t.name}: name ${full} over ${p.nameLimit}`);
    const text = JSON.stringify([t.inputSchema, t.outputSchema ?? null]);
    if (p.refs === 'inline' && (text.includes('"$ref"') || text.includes('"$defs"'))) out.push(`${t.name}: $ref`);
    if (!p.rootCombinators && ['oneOf', 'anyOf', 'allOf'].some((k) => k in t.inputSchema)) out.push(`${t.name}: root combinator`);
    if (p.maxDescription !== undefined && t.description.length > p.maxDescription) out.push(`${t.name}: description ${t.description.length}`);
    if (p.gemini && text.includes('"const"')) out.push(`${t.name}: const`);
    if (p.gemini && !/^[A-Za-z_]/.test(t.name)) out.push(`${t.name}: name start`);
    if (t.inputSchema.type !== 'object') out.push(`${t.name}: root not an object`);
  }
  return out;
}

const node = { $ref: '#/$defs/Node' };
const defs = {
  Node: { type: 'object', description: 'A tree node.', properties: { name: { type: 'string' }, children: { type: 'array', items: node } } },
  Tag: { type: 'object', properties: { label: { type: 'string', const: 'x' } } },
};

function tool(name: string, inputSchema: JsonSchema, extra: Partial<ToolDefinition> = {}): ToolDefinition {
  return { name, description: 'A tool.', inputSchema, annotations: {}, binding: { kind: 'http', method: 'POST', path: `/${name}`, parameters: [], security: [] }, ...extra };
}

/** A definition with one instance of every problem some client refuses. */
function fixture(): ServerDefinition {
  return {
    formatVersion: 1,
    server: { name: 'fixture-api', version: '1.0.0', envPrefix: 'FIXTURE_API' },
    baseUrls: ['https://api.example.com'],
    auth: [],
    tools: [
      tool('tree', { type: 'object', properties: { root: node, tag: { $ref: '#/$defs/Tag' } }, $defs: defs }),
      tool('either', {
        type: 'object',
        properties: { common: { type: 'string' } },
        required: ['common'],
        oneOf: [
          { title: 'by id', properties: { id: { type: 'integer' }, scope: { type: 'string' } }, required: ['id', 'scope'] },
          { title: 'by email', properties: { email: { type: 'string' }, scope: { type: 'string' } }, required: ['email', 'scope'] },
        ],
      }),
      tool('merged', { type: 'object', allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer' } } }] }),
      tool('wordy', { type: 'object', properties: {} }, { description: `${'Explains everything at length. '.repeat(60)}End.` }),
      tool('2fa_enable', { type: 'object', properties: { mode: { const: 'totp' } } }),
      tool(`very_long_operation_name_${'x'.repeat(34)}`, { type: 'object', properties: {} }),
    ],
    roles: { admin: ['2fa_enable', 'tree'] },
  };
}

describe('profile rules, checked by an oracle on a fixture with every problem', () => {
  it.each(CLIENT_NAMES)('%s: the fixture breaks rules before, none after (tool names aside, which lowering budgets)', (client) => {
    const before = fixture();
    const after = applyClientProfile(before, client).definition;
    // Names are budgeted when operations are named (tested below), so the oracle skips them here.
    const nonName = (d: ServerDefinition) => violations(d, client).filter((v) => !v.includes(' over '));
    expect(nonName(before).length).toBeGreaterThan(0);
    expect(nonName(after)).toEqual([]);
  });

  it('claude keeps $defs (its API resolves them); gemini, cursor, vscode and portable inline them', () => {
    for (const client of CLIENT_NAMES) {
      const listed = JSON.stringify(applyClientProfile(fixture(), client).definition.tools[0]!.inputSchema);
      expect(listed.includes('$defs'), client).toBe(PROFILES[client].refs === 'keep');
    }
  });

  it('every repaired schema still compiles with ajv 2020-12', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const client of CLIENT_NAMES) {
      for (const t of applyClientProfile(fixture(), client).definition.tools) expect(() => ajv.compile(t.inputSchema), `${client} ${t.name}`).not.toThrow();
    }
  });

  it('reports each repair against its tool', () => {
    const { repairs } = applyClientProfile(fixture(), 'portable');
    // json-text: a recursive stand-in (an open object); not-strict: open roots (`properties: {}`
    // without additionalProperties: false), which cannot be listed as text.
    expect(repairs.map((r) => [r.rule, r.tool])).toEqual([
      ['inline-refs', 'tree'],
      ['json-text', 'tree'],
      ['root-combinator', 'either'],
      ['root-combinator', 'merged'],
      ['not-strict', 'wordy'],
      ['description', 'wordy'],
      ['not-strict', `very_long_operation_name_${'x'.repeat(34)}`],
      ['name-start', '_2fa_enable'],
    ]);
  });
});

describe('free-form objects as JSON text (strict profiles)', () => {
  const closed = (properties: Record<string, unknown>) => ({ type: 'object', properties, additionalProperties: false });
  const single = (inputSchema: JsonSchema, client: ClientName = 'portable') => {
    const { definition, repairs } = applyClientProfile({ ...fixture(), tools: [tool('one', inputSchema)] }, client);
    return { tool: definition.tools[0]!, rules: repairs.map((r) => r.rule) };
  };

  it('lists them as text when that makes the tool strict, for portable and openai only', () => {
    const schema = closed({ labels: { type: 'object', additionalProperties: { type: 'string' } } }) as JsonSchema;
    for (const client of ['portable', 'openai', 'vscode'] as const) {
      const { tool: listed, rules } = single(schema, client);
      expect((listed.inputSchema.properties as Record<string, JsonSchema>).labels!.type, client).toBe('string');
      expect(listed.jsonTextArguments?.map((s) => s.pointer)).toEqual(['/properties/labels']);
      expect(rules).toEqual(['json-text']);
    }
    for (const client of ['claude', 'gemini', 'cursor'] as const) expect(single(schema, client).tool.jsonTextArguments, client).toBeUndefined();
  });

  it('keeps them as objects when the tool stays non-strict for another reason', () => {
    const overlapping = { oneOf: [{ type: 'string' }, { type: 'string', format: 'email' }] };
    const { tool: listed, rules } = single(closed({ labels: { type: 'object' }, who: overlapping }) as JsonSchema);
    expect(listed.jsonTextArguments).toBeUndefined();
    expect((listed.inputSchema.properties as Record<string, JsonSchema>).labels).toEqual({ type: 'object' });
    expect(rules).toEqual(['not-strict']);
  });
});

describe('name budget: the client prefix counts', () => {
  it.each<[ClientName, number]>([
    ['claude', 64 - 'mcp__petstore__'.length],
    ['portable', 64 - 'mcp__petstore__'.length],
    ['cursor', 60 - 'petstore'.length],
    ['vscode', 64 - 'mcp_petstore_'.length],
    ['openai', 64],
    ['gemini', 64],
  ])('%s leaves %i characters for server petstore', (client, budget) => {
    expect(nameBudget(PROFILES[client], 'petstore', 64)).toBe(budget);
  });

  it('never below 32, and never above --max-name-length', () => {
    expect(nameBudget(PROFILES.claude, 'a'.repeat(60), 64)).toBe(32);
    expect(nameBudget(PROFILES.openai, 'petstore', 30)).toBe(30);
  });

  it('operation names are cut to the budget with a stable hash, per client', async () => {
    const names = async (client: ClientName) =>
      (await buildDefinition({ spec: 'test/fixtures/clients/long-names.yaml', maxNameLength: 64, allowRemoteRefs: false, client })).definition.tools.map((t) => t.name);
    const openai = await names('openai');
    expect(openai[0]).toBe('listEveryInvoiceLineItemForTheCustomerAccountWithinTheBillingPeriod'.slice(0, 57) + '_' + openai[0]!.slice(-6));
    for (const client of CLIENT_NAMES) {
      const server = 'long-names-api';
      for (const name of await names(client)) expect((PROFILES[client].prefix(server) + name).length, `${client} ${name}`).toBeLessThanOrEqual(PROFILES[client].nameLimit);
    }
    expect(await names('claude')).toEqual(await names('claude'));
  });
});

describe('$ref inlining', () => {
  const schema: JsonSchema = { type: 'object', properties: { root: node }, $defs: defs };

  it('expands shared definitions and cuts recursion at a described stand-in of the right type', () => {
    const { schema: out, cut } = inlineRefs(schema, { maxDepth: 4, maxBytes: 1e6 });
    expect(JSON.stringify(out)).not.toContain('$ref');
    expect(out).not.toHaveProperty('$defs');
    const root = (out.properties as Record<string, JsonSchema>).root!;
    expect(root.description).toBe('A tree node.');
    const child = ((root.properties as Record<string, JsonSchema>).children!.items as JsonSchema)!;
    expect(child).toEqual({ type: 'object', description: 'A tree node. (Node: recursive, not expanded further)' });
    expect(cut).toEqual(['Node']);
  });

  it('stops at the depth limit', () => {
    const chain = { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'object', properties: { b: { $ref: '#/$defs/B' } } }, B: { type: 'array', items: { type: 'string' } } } };
    const { schema: out } = inlineRefs(chain, { maxDepth: 1, maxBytes: 1e6 });
    expect(out).toEqual({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'array', description: 'B (nested too deep to expand here)' } } } } });
  });

  it('lowers the depth until the schema fits the byte budget', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, { $ref: '#/$defs/Big' }])), $defs: { Big: { type: 'object', description: 'x'.repeat(500), properties: { q: { type: 'string' } } } } };
    const result = inlineRefs(wide, { maxDepth: 4, maxBytes: 4096 });
    expect(result.depth).toBe(0);
    expect(Object.keys(result.schema.properties as object)).toHaveLength(40);
    expect((result.schema.properties as Record<string, JsonSchema>).p0).toMatchObject({ type: 'object' });
  });

  it('keeps annotations beside a $ref, and turns other siblings into allOf', () => {
    const s = { type: 'object', properties: { a: { $ref: '#/$defs/Tag', description: 'Own words.' }, b: { $ref: '#/$defs/Tag', required: ['label'] } }, $defs: defs };
    const props = inlineRefs(s, { maxDepth: 4, maxBytes: 1e6 }).schema.properties as Record<string, JsonSchema>;
    expect(props.a).toMatchObject({ type: 'object', description: 'Own words.' });
    expect(props.b).toEqual({ required: ['label'], allOf: [defs.Tag] });
  });

  it('inlines under properties named like keywords (default, enum, const), and leaves keyword values alone', () => {
    const s = {
      type: 'object',
      properties: { default: { $ref: '#/$defs/Tag' }, enum: { $ref: '#/$defs/Tag' } },
      default: { $ref: 'not a schema, a default value' },
      $defs: defs,
    };
    const out = inlineRefs(s, { maxDepth: 4, maxBytes: 1e6 }).schema;
    expect((out.properties as Record<string, unknown>).default).toEqual(defs.Tag);
    expect((out.properties as Record<string, unknown>).enum).toEqual(defs.Tag);
    expect(out.default).toEqual({ $ref: 'not a schema, a default value' });
  });

  it('keeps a property named __proto__ as data', () => {
    const s = JSON.parse('{"type":"object","properties":{"__proto__":{"$ref":"#/$defs/Tag"}},"$defs":{"Tag":{"type":"string"}}}') as JsonSchema;
    const props = inlineRefs(s, { maxDepth: 4, maxBytes: 1e6 }).schema.properties as Record<string, unknown>;
    expect(Object.keys(props)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(props, '__proto__')?.value).toEqual({ type: 'string' });
  });
});

describe('root combinators', () => {
  const [, either, merged] = applyClientProfile(fixture(), 'claude').definition.tools;

  it('allOf: merged into one object, required kept', () => {
    expect(merged!.inputSchema).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a'] });
  });

  it('oneOf: every alternative’s properties, required where all require, the choice in the description', () => {
    expect(either!.inputSchema).toEqual({
      type: 'object',
      properties: { common: { type: 'string' }, id: { type: 'integer' }, scope: { type: 'string' }, email: { type: 'string' } },
      required: ['common', 'scope'],
      description: 'Give the arguments of exactly one of: (by id), (by email).',
    });
  });
});

describe('gemini rules', () => {
  it('const becomes a one-member enum at any depth; a property named const is data', () => {
    expect(constToEnum({ type: 'object', properties: { const: { type: 'string' }, m: { anyOf: [{ const: 1 }, { const: 2 }] } } })).toEqual({
      type: 'object',
      properties: { const: { type: 'string' }, m: { anyOf: [{ enum: [1] }, { enum: [2] }] } },
    });
  });

  it('a name that starts with a digit gets a leading _, and role maps follow the rename', () => {
    const { definition } = applyClientProfile(fixture(), 'gemini');
    expect(definition.tools.map((t) => t.name)).toContain('_2fa_enable');
    expect(definition.roles).toEqual({ admin: ['_2fa_enable', 'tree'] });
  });
});

describe('description budget', () => {
  it('cuts at a sentence end, with an ellipsis, within the limit', () => {
    const text = 'First sentence here. Second sentence is longer than the rest. Third.';
    expect(cutText(text, 50)).toBe('First sentence here. Second sentence is longer…');
    expect(cutText(text, 30)).toBe('First sentence here.…');
    expect(cutText('short', 50)).toBe('short');
    const cut = applyClientProfile(fixture(), 'openai').definition.tools.find((t) => t.name === 'wordy')!.description;
    expect(cut.length).toBeLessThanOrEqual(1024);
    expect(cut.endsWith('at length.…')).toBe(true);
  });

  it('claude, gemini and cursor have no description limit', () => {
    for (const client of ['claude', 'gemini', 'cursor'] as const) {
      expect(applyClientProfile(fixture(), client).definition.tools.find((t) => t.name === 'wordy')!.description).toBe(fixture().tools[3]!.description);
    }
  });
});
