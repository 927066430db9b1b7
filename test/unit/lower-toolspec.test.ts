/**
 * Tool-spec lowering on small documents (src/lower/toolspec/): the parts of the definition each
 * section gives, and the problems it collects with their pointers. The documents here have passed
 * the structural check (schemas/toolspec-1.json); these are the rules of meaning after it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lowerToolSpec } from '../../src/lower/toolspec/index.js';
import { REPO } from '../helpers/project.js';

const specPath = path.join(REPO, 'specs', 'inline.yaml');
const lower = (doc: Record<string, unknown>) => lowerToolSpec({ mcpgen: 1, server: { name: 'demo', version: '1.2.3' }, ...doc }, { specPath });

const geo = { geo: { http: { baseUrl: 'https://geo.example/v1' } } };

describe('lowerToolSpec', () => {
  it('reads ui: a named view, off, or a page of the user own under views/', async () => {
    const calc = (ui: unknown) => ({ description: 'add', params: { x: { type: 'number' } }, expression: { input: '${args.x} + 1' }, ui });
    const { definition, errors } = await lower({ tools: { a: calc('table'), b: calc('off'), c: calc({ html: 'views/c.html' }), d: calc('card') } });
    expect(errors).toEqual([]);
    expect(definition!.tools.map((t) => t.view)).toEqual([{ kind: 'table', at: [], columns: [] }, { kind: 'off' }, { kind: 'custom', file: 'c.html' }, { kind: 'card' }]);
  });

  it("refuses names clients can't take: constructor-like arguments and result fields, tools that differ only in - and _", async () => {
    const calc = { description: 'add', expression: { input: '${args.constructor} + 1' } };
    const { errors } = await lower({
      tools: {
        'add-one': { ...calc, params: { constructor: { type: 'number' } }, output: { type: 'object', properties: { toString: { type: 'string' } } } },
        add_one: { description: 'add', params: { x: { type: 'number' } }, expression: { input: '${args.x} + 1' } },
      },
    });
    const messages = errors.map((e) => e.message).join('\n');
    expect(messages).toMatch(/argument name "constructor" breaks MCP clients' validators/);
    expect(messages).toMatch(/result field name "toString" breaks MCP clients' validators/);
    expect(messages).toMatch(/tools add-one and add_one are one name to clients that turn - into _/);
  });

  it('lowers an http step chain with its templates, result mapping and default annotations', async () => {
    const { definition, errors } = await lower({
      sources: geo,
      tools: {
        find: {
          description: 'Find a place',
          params: { q: { type: 'string' }, limit: { type: 'integer', default: 3 } },
          http: {
            steps: [
              { id: 'search', source: 'geo', method: 'GET', path: '/search', query: { name: '${args.q}', count: '${args.limit}' }, failIf: { when: 'length(response.results || `[]`) == `0`', message: 'no place named ${args.q}' } },
              { id: 'detail', source: 'geo', method: 'GET', path: '/places/{id}', query: { id: '${steps.search.results[0].id}' } },
            ],
            result: '{name: steps.detail.name}',
          },
        },
      },
    });
    expect(errors).toEqual([]);
    expect(definition.sources?.http?.geo).toMatchObject({ baseUrl: 'https://geo.example/v1', baseUrlEnv: 'GEO_BASE_URL' });
    const tool = definition.tools[0]!;
    expect(tool.inputSchema).toEqual({ type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer', default: 3 } }, required: ['q'], additionalProperties: false });
    expect(tool.annotations).toEqual({ readOnlyHint: true, idempotentHint: true, openWorldHint: true });
    expect(tool.binding).toMatchObject({ kind: 'steps', result: '{name: steps.detail.name}' });
    expect(tool.binding.kind === 'steps' && tool.binding.steps.map((s) => [s.id, s.method, s.path])).toEqual([
      ['search', 'GET', '/search'],
      ['detail', 'GET', '/places/{id}'],
    ]);
  });

  it('collects every problem with its pointer: unknown source, undeclared argument, a step reading a later step', async () => {
    const { errors } = await lower({
      sources: geo,
      tools: {
        a: { description: 'a', params: { q: { type: 'string' } }, http: { steps: [{ id: 'one', source: 'nowhere', method: 'GET', path: '/x' }, { id: 'two', source: 'geo', method: 'GET', path: '/y', query: { v: '${args.nope}' } }] } },
        b: { description: 'b', params: { q: { type: 'string' } }, http: { steps: [{ id: 'first', source: 'geo', method: 'GET', path: '/x', query: { v: '${steps.second.id}' } }, { id: 'second', source: 'geo', method: 'GET', path: '/y' }] } },
      },
    });
    const pointers = errors.map((e) => e.pointer?.join('/'));
    expect(pointers).toEqual(expect.arrayContaining([expect.stringMatching(/^tools\/a\/http\/steps\/0/), expect.stringMatching(/^tools\/a\/http\/steps\/1\/query\/v/), expect.stringMatching(/^tools\/b\/http\/steps\/0\/query\/v/)]));
    expect(errors.map((e) => e.message).join('\n')).toMatch(/nowhere/);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/nope/);
  });

  it('lowers SQL with its dialects and fixed output, and refuses a statement that writes', async () => {
    const ok = await lower({ sources: { db: { sql: { url: 'sqlite::memory:' } } }, tools: { q: { description: 'q', params: { id: { type: 'integer' } }, sql: { source: 'db', statement: 'SELECT name FROM items WHERE id = :id' } } } });
    expect(ok.errors).toEqual([]);
    expect(ok.definition.sources?.sql?.db).toMatchObject({ dialects: ['sqlite'] });
    expect(ok.definition.tools[0]).toMatchObject({ binding: { kind: 'sql', source: 'db' }, annotations: { readOnlyHint: true, openWorldHint: false }, outputSchema: { required: ['columns', 'rows', 'row_count', 'truncated'] } });

    const bad = await lower({ sources: { db: { sql: { url: 'sqlite::memory:' } } }, tools: { q: { description: 'q', sql: { source: 'db', statement: 'DELETE FROM items' } } } });
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]!.message).toMatch(/only SELECT is allowed; found DELETE/);
    expect(bad.errors[0]!.pointer?.slice(0, 3)).toEqual(['tools', 'q', 'sql']);
  });

  it('lowers config durations to milliseconds', async () => {
    const { definition } = await lower({ config: { timeout: '1.5s', retry: { attempts: 2, initialDelay: '100ms', maxDelay: '1m' }, breaker: { threshold: 4, cooldown: '10s' } }, tools: {} });
    expect(definition.config).toEqual({ timeoutMs: 1500, retry: { attempts: 2, initialDelayMs: 100, maxDelayMs: 60_000 }, circuitBreaker: { threshold: 4, cooldownMs: 10_000 } });
  });

  it('refuses a tool with two backends, and wraps a non-object output as { result }', async () => {
    const two = await lower({ sources: geo, tools: { t: { description: 't', expression: {}, http: { source: 'geo', method: 'GET', path: '/' } } } });
    expect(two.errors[0]).toMatchObject({ message: 'tool t has 2 backends (http, expression)', pointer: ['tools', 't'] });

    const wrapped = await lower({ tools: { calc: { description: 'c', params: { expression: { type: 'string' } }, expression: {}, output: { type: 'number' } } } });
    expect(wrapped.errors).toEqual([]);
    expect(wrapped.definition.tools[0]).toMatchObject({ outputSchema: { type: 'object', properties: { result: { type: 'number' } }, required: ['result'] }, wrapKey: 'result' });
  });
});

describe('lowerToolSpec: what a spec gives its tests (fixtures and examples)', () => {
  const weatherDir = path.join(REPO, 'specs');
  const lowerIn = (doc: Record<string, unknown>) => lowerToolSpec({ mcpgen: 1, server: { name: 'demo', version: '1.0.0' }, ...doc }, { specPath: path.join(weatherDir, 'inline.yaml') });

  it('reads each step fixture (relative to the spec) under its step id, and keeps examples of tools that send no requests', async () => {
    const { samples, errors } = await lowerIn({
      sources: geo,
      tools: {
        find: {
          description: 'Find',
          params: { q: { type: 'string' } },
          http: { steps: [{ id: 'search', source: 'geo', path: '/search', fixture: 'data/weather/geocode.json' }, { id: 'more', source: 'geo', path: '/more' }] },
        },
        add: {
          description: 'Add',
          params: { e: { type: 'string' } },
          expression: { input: '${args.e}', functions: [], constants: [] },
          examples: [{ arguments: { e: '1 + 1' }, result: { expression: '1 + 1', result: 2 } }, { arguments: { e: 'x' }, error: 'unknown name' }],
        },
      },
    });
    expect(errors).toEqual([]);
    expect(Object.keys(samples.fixtures!.find!)).toEqual(['search']);
    expect(samples.fixtures!.find!.search).toMatchObject({ results: [{ name: 'Paris' }] });
    expect(samples.examples!.add).toHaveLength(2);
  });

  it('refuses an unreadable or non-JSON fixture, examples on a tool that sends requests, and examples that cannot hold, each at its pointer', async () => {
    const { errors } = await lowerIn({
      sources: geo,
      tools: {
        find: { description: 'Find', http: { source: 'geo', path: '/search', fixture: 'data/weather/missing.json' }, examples: [{ arguments: {}, result: {} }] },
        bad: { description: 'Bad', http: { source: 'geo', path: '/x', fixture: 'weather.yaml' } },
        add: {
          description: 'Add',
          params: { e: { type: 'string' } },
          expression: { input: '${args.e}', functions: [], constants: [] },
          examples: [{ arguments: { e: '1' }, result: { expression: '1', result: 1 }, error: 'both' }, { arguments: { f: 1 }, result: { expression: 'x', result: 1 } }, { arguments: { e: '1' }, result: { result: 'one' } }],
        },
      },
    });
    const at = (pointer: Array<string | number>) => errors.find((e) => JSON.stringify(e.pointer) === JSON.stringify(pointer))?.message;
    expect(at(['tools', 'find', 'http', 'fixture'])).toMatch(/fixture data\/weather\/missing\.json cannot be read/);
    expect(at(['tools', 'bad', 'http', 'fixture'])).toMatch(/fixture weather\.yaml is not JSON/);
    expect(at(['tools', 'find', 'examples'])).toMatch(/examples are for tools that send no HTTP requests/);
    expect(at(['tools', 'add', 'examples', 0])).toMatch(/exactly one of result and error/);
    expect(at(['tools', 'add', 'examples', 1, 'arguments'])).toMatch(/not valid/);
    expect(at(['tools', 'add', 'examples', 2, 'result'])).toMatch(/does not match the tool's output/);
  });
});
