/**
 * test/contract-cases.json as the generator computes it: deterministic, valid for the runtime,
 * sampled within the budget, and honest (a case that cannot work is skipped with a reason rather
 * than emitted). That the emitted test passes and catches broken mappings is proven end to end by
 * examples.test.ts and contract-mutation.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundSizes, contractCases, sampleTools } from '../../src/emit/contract-cases.js';
import type { HttpBinding, ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';
import { SchemaValidator } from '../../src/runtime/validate.js';
import { REPO } from '../helpers/project.js';

const petstore = () => JSON.parse(readFileSync(path.join(REPO, 'generated', 'petstore', 'server-definition.json'), 'utf8')) as ServerDefinition;

const tool = (name: string, binding: Partial<HttpBinding>, inputSchema: Record<string, unknown>, outputSchema?: Record<string, unknown>): ToolDefinition => ({
  name,
  description: name,
  inputSchema,
  ...(outputSchema ? { outputSchema } : {}),
  annotations: {},
  binding: { kind: 'http', method: 'GET', path: `/${name}`, parameters: [], security: [], ...binding },
});

const definition = (tools: ToolDefinition[]): ServerDefinition => ({
  formatVersion: 1,
  server: { name: 'c', version: '1.0.0', envPrefix: 'C' },
  baseUrls: [],
  auth: [],
  tools,
});

describe('contractCases', () => {
  it('is deterministic: the same definition gives the same bytes', async () => {
    const a = JSON.stringify(await contractCases(petstore()));
    const b = JSON.stringify(await contractCases(petstore()));
    expect(a).toBe(b);
  });

  it('gives every petstore operation valid arguments, an exact request and an invalid call the runtime refuses', async () => {
    const def = petstore();
    const data = await contractCases(def);
    const validator = new SchemaValidator();
    expect(data.skipped).toEqual([]);
    expect(data.cases.map((c) => c.tool)).toEqual(def.tools.map((t) => t.name));
    for (const c of data.cases) {
      const t = def.tools.find((x) => x.name === c.tool)!;
      expect(validator.validateArguments(t.name, t.inputSchema, c.arguments), c.tool).toEqual({ ok: true });
      const invalid = validator.validateArguments(t.name, t.inputSchema, c.invalid!.arguments);
      expect(invalid.ok, c.tool).toBe(false);
      expect(invalid.ok ? '' : invalid.message).toContain(c.invalid!.mentions);
      if ('structuredContent' in c.result) expect(validator.validateOutput(t.outputSchema!, c.result.structuredContent), c.tool).toEqual({ ok: true });
    }
    const byStatus = data.cases.find((c) => c.tool === 'findPetsByStatus')!;
    const statuses = byStatus.arguments.status as string[];
    expect(byStatus.exchanges[0]!.request).toEqual({
      method: 'GET',
      path: '/pet/findByStatus',
      query: statuses.map((s) => `status=${s}`).join('&'),
      headers: { accept: 'application/json, */*;q=0.5' },
    });
    // A wrapped result: the upstream sends the bare array, the tool returns it under the wrap key.
    expect(byStatus.result).toEqual({ structuredContent: { result: byStatus.exchanges[0]!.response.json } });
    const deletePet = data.cases.find((c) => c.tool === 'deletePet')!;
    expect(deletePet.exchanges[0]!.request.headers.api_key).toBe(deletePet.arguments.api_key);
  });

  it.each(['petstore', 'styles', 'library-3.1', 'todo-swagger2'])('gives every parameter and body field of %s a value', async (dir) => {
    // An argument left out (or a null parameter) is left out of the request, so a broken mapping for it would pass.
    const def = JSON.parse(readFileSync(path.join(REPO, 'generated', dir, 'server-definition.json'), 'utf8')) as ServerDefinition;
    for (const c of (await contractCases(def)).cases) {
      const binding = def.tools.find((t) => t.name === c.tool)!.binding as HttpBinding;
      const body = binding.body;
      for (const p of binding.parameters) expect(c.arguments[p.arg] ?? null, `${dir} ${c.tool} ${p.arg}`).not.toBeNull();
      // A null body field is sent (as JSON null), so only a missing one goes unchecked.
      const fields = body?.mode === 'value' && body.arg ? [body.arg] : Object.keys(body?.fields ?? {});
      for (const arg of fields) expect(c.arguments[arg], `${dir} ${c.tool} ${arg}`).not.toBeUndefined();
    }
  });

  it('keeps within the budget with a sample that does not depend on the order of operations', async () => {
    const tools = Array.from({ length: 30 }, (_, i) => tool(`op${i}`, {}, { type: 'object' }));
    const sample = sampleTools(tools, 7).map((t) => t.name);
    expect(sample).toHaveLength(7);
    expect(sampleTools([...tools].reverse(), 7).map((t) => t.name).sort()).toEqual([...sample].sort());
    const data = await contractCases(definition(tools), 7);
    expect(data).toMatchObject({ requestTools: 30, budget: 7, skipped: [] });
    expect(data.cases.map((c) => c.tool)).toEqual(sample);
    expect((await contractCases(definition(tools), 0)).cases).toEqual([]);
  });

  it('covers multipart parts, form bodies, headers, cookies and an Idempotency-Key', async () => {
    const upload = tool(
      'upload',
      {
        method: 'POST',
        parameters: [
          { arg: 'key', name: 'Idempotency-Key', in: 'header', style: 'simple', explode: false },
          { arg: 'session', name: 'session', in: 'cookie', style: 'form', explode: true },
        ],
        body: { contentType: 'multipart/form-data', mode: 'properties', fields: { note: 'note', file: 'file' }, required: true, binaryFields: ['file'] },
      },
      { type: 'object', properties: { key: { type: 'string' }, session: { type: 'string' }, note: { type: 'string' }, file: { type: 'string' } }, required: ['file'], additionalProperties: false },
    );
    const [c] = (await contractCases(definition([upload]))).cases;
    const args = c!.arguments as Record<string, string>;
    // Without the argument the server would send a random key that no case can expect.
    expect(args.key).toEqual(expect.any(String));
    expect(c!.exchanges[0]!.request.headers).toEqual({ accept: 'application/json, */*;q=0.5', 'idempotency-key': args.key, cookie: `session=${encodeURIComponent(args.session!)}` });
    expect(c!.exchanges[0]!.request.body).toEqual({
      multipart: [
        { name: 'note', value: args.note },
        { name: 'file', value: args.file, filename: 'file', type: 'application/octet-stream' },
      ],
    });
    expect(c!.invalid).toEqual({ arguments: { key: args.key, session: args.session, note: args.note }, mentions: 'file' });
  });

  it('skips what fetch cannot send and leaves out an optional body it cannot send on GET', async () => {
    const trace = tool('trace', { method: 'TRACE' }, { type: 'object' });
    const getWithBody = tool(
      'search',
      { body: { contentType: 'application/json', mode: 'value', arg: 'filter', required: false }, parameters: [{ arg: 'q', name: 'q', in: 'query', style: 'form', explode: true }] },
      { type: 'object', properties: { q: { type: 'string' }, filter: { type: 'object' } }, required: ['q'] },
    );
    const data = await contractCases(definition([trace, getWithBody]));
    expect(data.skipped).toEqual([{ tool: 'trace', reason: expect.stringMatching(/TRACE/) }]);
    expect(data.cases).toHaveLength(1);
    expect(data.cases[0]!.arguments.filter).toBeUndefined();
    expect(data.cases[0]!.exchanges[0]!.request.body).toBeUndefined();
  });

  it('stays small and fast on schemas with huge bounds and Unicode property patterns (AWS shapes)', async () => {
    const batch = tool(
      'PutRecordBatch',
      { method: 'POST', body: { contentType: 'application/json', mode: 'properties', fields: { Records: 'Records', Tag: 'Tag', ConnectionId: 'ConnectionId' }, required: true } },
      {
        type: 'object',
        properties: {
          Records: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'object', properties: { Data: { type: 'string', maxLength: 1024000 } }, required: ['Data'] } },
          Tag: { type: 'string', minLength: 1, maxLength: 128, pattern: '^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$' },
          // A pattern shorter than its minimum length: the generated text is padded to it.
          ConnectionId: { type: 'string', minLength: 10, maxLength: 256, pattern: '[a-z0-9][.a-z0-9]+' },
        },
        required: ['Records', 'Tag', 'ConnectionId'],
      },
    );
    const started = Date.now();
    const data = await contractCases(definition([batch]));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(data.skipped).toEqual([]);
    expect(JSON.stringify(data.cases[0]!.arguments).length).toBeLessThan(2_000);
  });
});

describe('boundSizes', () => {
  it('lowers maximums (never below the minimums), turns \\p{…} into ASCII ranges and leaves data alone', () => {
    expect(
      boundSizes({
        type: 'object',
        properties: {
          blob: { type: 'string', maxLength: 1024000 },
          code: { type: 'string', minLength: 40, maxLength: 100 },
          arn: { type: 'string', pattern: 'arn:.*', maxLength: 2048 },
          list: { type: 'array', maxItems: 500, items: { enum: [{ maxLength: 900 }] } },
          word: { type: 'string', pattern: '^\\p{L}+[\\p{N}\\d]$' },
          id: { type: 'string', pattern: '^[a-z]+$', minLength: 10, maxLength: 64 },
          any: { type: 'string' },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        blob: { type: 'string', maxLength: 32, minLength: 1 },
        code: { type: 'string', minLength: 40, maxLength: 40 },
        arn: { type: 'string', pattern: 'arn:.*', maxLength: 2048 },
        list: { type: 'array', maxItems: 2, items: { enum: [{ maxLength: 900 }] } },
        word: { type: 'string', pattern: '^[a-zA-Z]+[0-9\\d]$' },
        // A pattern's own minimum is kept as it is, and only plain strings get a minimum of 1.
        id: { type: 'string', pattern: '^[a-z]+$', minLength: 10, maxLength: 64 },
        any: { type: 'string', minLength: 1 },
      },
    });
  });

  it('bounds properties named like keywords (default, example, enum) and leaves data under those keywords alone', () => {
    const long = { type: 'string', maxLength: 5000 };
    expect(
      boundSizes({
        type: 'object',
        properties: { default: long, example: long, enum: long, const: long, examples: { type: 'array', maxItems: 90, items: long } },
        default: { maxLength: 5000 },
        examples: [{ maxItems: 90 }],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        default: { type: 'string', maxLength: 32, minLength: 1 },
        example: { type: 'string', maxLength: 32, minLength: 1 },
        enum: { type: 'string', maxLength: 32, minLength: 1 },
        const: { type: 'string', maxLength: 32, minLength: 1 },
        examples: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 32, minLength: 1 } },
      },
      default: { maxLength: 5000 },
      examples: [{ maxItems: 90 }],
    });
  });
});


describe('contractCases for tool-spec http chains and examples', () => {
  const weather = () => JSON.parse(readFileSync(path.join(REPO, 'generated', 'weather', 'server-definition.json'), 'utf8')) as ServerDefinition;
  const fixture = (file: string) => JSON.parse(readFileSync(path.join(REPO, 'specs', 'data', 'weather', file), 'utf8')) as unknown;
  const fixtures = () => ({ weather_api: { geo: fixture('geocode.json'), forecast: fixture('forecast.json') } });

  it('runs the chain on paper: each request in order, answered from its fixture, and the mapped result', async () => {
    const data = await contractCases(weather(), undefined, undefined, { fixtures: fixtures() });
    expect(data).toMatchObject({ requestTools: 1, skipped: [] });
    const [main, failIf] = data.cases;
    const location = main!.arguments.location as string;
    expect(main!.exchanges.map((e) => [e.request.method, e.request.path])).toEqual([
      ['GET', '/search'],
      ['GET', '/forecast'],
    ]);
    expect(main!.exchanges[0]!.request.query).toBe(`${new URLSearchParams({ name: location, count: '1', language: 'en', format: 'json' })}`);
    // The second request reads the first answer (the fixture's coordinates).
    expect(new URLSearchParams(main!.exchanges[1]!.request.query).get('latitude')).toBe('48.85341');
    expect(main!.result).toMatchObject({ structuredContent: { location: 'Paris, Île-de-France, France', temperature: 6.3, temperature_unit: '°C' } });
    // failIf: an answer that trips it (no results), its message, and nothing sent after it.
    expect(failIf!.exchanges).toHaveLength(1);
    expect(failIf!.result).toEqual({ error: `No place called "${location}" was found; try a nearby city or add the country.` });
  });

  it('skips a chain whose step has no fixture, saying which step', async () => {
    const data = await contractCases(weather(), undefined, undefined, { fixtures: { weather_api: { geo: fixture('geocode.json') } } });
    expect(data.cases).toEqual([]);
    expect(data.skipped).toEqual([{ tool: 'weather_api', reason: expect.stringMatching(/step forecast has no fixture/) }]);
  });

  it('synthesises the answer of a one-step chain without a mapping from its output schema', async () => {
    const def = weather();
    const tool = def.tools[0]!;
    if (tool.binding.kind !== 'steps') throw new Error('weather_api is a chain');
    const single = { ...tool, binding: { kind: 'steps' as const, steps: [{ ...tool.binding.steps[0]!, failIf: undefined }] } };
    delete single.binding.steps[0]!.failIf;
    const [c] = (await contractCases({ ...def, tools: [single] })).cases;
    expect(c!.exchanges).toHaveLength(1);
    expect(c!.result).toEqual({ structuredContent: c!.exchanges[0]!.response.json });
    expect(new SchemaValidator().validateOutput(tool.outputSchema!, c!.exchanges[0]!.response.json)).toEqual({ ok: true });
  });

  it('turns examples into cases without requests, wrapping a bare result under the wrap key', async () => {
    const calc = JSON.parse(readFileSync(path.join(REPO, 'generated', 'calculator', 'server-definition.json'), 'utf8')) as ServerDefinition;
    const data = await contractCases(calc, undefined, undefined, { examples: { calculate: [{ arguments: { expression: '1 + 1' }, result: { expression: '1 + 1', result: 2 } }, { arguments: { expression: 'x' }, error: 'unknown name' }] } });
    expect(data.requestTools).toBe(0);
    expect(data.cases).toEqual([
      { tool: 'calculate', title: expect.stringMatching(/example 1/), arguments: { expression: '1 + 1' }, exchanges: [], result: { structuredContent: { expression: '1 + 1', result: 2 } } },
      { tool: 'calculate', title: expect.stringMatching(/example 2/), arguments: { expression: 'x' }, exchanges: [], result: { error: 'unknown name' } },
    ]);
  });
});
