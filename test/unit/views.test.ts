/**
 * The views pass: which view a result schema gets, what a spec's own choice becomes, and
 * `--apps off`.
 */
import { describe, expect, it } from 'vitest';
import { applyViews, chooseView } from '../../src/passes/views.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';

const pet = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, category: { type: 'object', properties: { name: { type: 'string' } } }, tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } };

describe('chooseView', () => {
  it('a list of objects, alone or beside a few plain fields, is a table with a column per item property', () => {
    expect(chooseView({ type: 'object', properties: { result: { type: 'array', items: pet } } })).toEqual({ kind: 'table', at: ['result'], columns: ['id', 'name', 'category', 'tags'] });
    expect(chooseView({ type: 'object', properties: { rows: { type: 'array', items: { type: 'object' } }, columns: { type: 'array', items: { type: 'string' } }, row_count: { type: 'integer' } } })).toEqual({ kind: 'table', at: ['rows'], columns: [] });
  });

  it('an entity that has a list (a pet and its tags) is a card, with allOf members read as one object', () => {
    expect(chooseView(pet)).toEqual({ kind: 'card' });
    expect(chooseView({ type: 'object', allOf: [pet] })).toEqual({ kind: 'card' });
    expect(chooseView({ type: 'object', additionalProperties: { type: 'integer' } })).toEqual({ kind: 'card' });
  });

  it('numbers over dates or times are a chart: side-by-side arrays, or rows of mostly numbers', () => {
    const forecast = { type: 'object', properties: { time: { type: 'array', items: { type: 'string' } }, max: { type: 'array', items: { type: 'number' } }, min: { type: 'array', items: { type: ['number', 'null'] } } } };
    expect(chooseView({ type: 'object', properties: { location: { type: 'string' }, forecast } })).toEqual({ kind: 'chart', at: ['forecast'], layout: 'columns', x: 'time', series: ['max', 'min'] });
    const prices = { type: 'array', items: { type: 'object', properties: { day: { type: 'string', format: 'date' }, open: { type: 'number' }, close: { type: 'number' }, symbol: { type: 'string' } } } };
    expect(chooseView({ type: 'object', properties: { result: prices } })).toEqual({ kind: 'chart', at: ['result'], layout: 'rows', x: 'day', series: ['open', 'close'] });
    // One date among many fields: records, shown as a table; ids are never a series.
    const orders = { type: 'array', items: { type: 'object', properties: { created_at: { type: 'string' }, total: { type: 'number' }, customer: { type: 'string' }, status: { type: 'string' }, note: { type: 'string' } } } };
    expect(chooseView({ type: 'object', properties: { result: orders } })).toMatchObject({ kind: 'table', at: ['result'] });
    const petOrders = { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, petId: { type: 'integer' }, quantity: { type: 'integer' }, shipDate: { type: 'string', format: 'date-time' }, status: { type: 'string' }, complete: { type: 'boolean' } } } };
    expect(chooseView({ type: 'object', properties: { result: petOrders } })).toMatchObject({ kind: 'table', at: ['result'] });
    // A duration is not a time axis.
    const latency = { type: 'array', items: { type: 'object', properties: { response_time: { type: 'integer' }, bytes: { type: 'integer' } } } };
    expect(chooseView({ type: 'object', properties: { result: latency } })).toMatchObject({ kind: 'table' });
  });

  it('reads through local $refs, as the claude and openai profiles keep them', () => {
    const schema = { type: 'object', properties: { result: { type: 'array', items: { $ref: '#/$defs/Pet' } } }, $defs: { Pet: pet } };
    expect(chooseView(schema)).toEqual({ kind: 'table', at: ['result'], columns: ['id', 'name', 'category', 'tags'] });
  });

  it('an object of plain fields is a card; what is not an object is formatted JSON', () => {
    expect(chooseView({ type: 'object', properties: { result: { type: 'string' } } })).toEqual({ kind: 'card' });
    expect(chooseView({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ kind: 'json' });
  });
});

describe('applyViews', () => {
  const tool = (view?: ToolDefinition['view'], outputSchema: object | undefined = pet): ToolDefinition => ({
    name: 't',
    description: 'd',
    inputSchema: { type: 'object' },
    ...(outputSchema ? { outputSchema } : {}),
    annotations: {},
    binding: { kind: 'http', method: 'GET', path: '/', parameters: [], security: [] },
    ...(view ? { view } : {}),
  });
  const def = (...tools: ToolDefinition[]) => ({ server: { name: 's', version: '1' }, tools }) as unknown as ServerDefinition;

  it('gives every tool with an output schema a view, and none to tools without one', () => {
    expect(applyViews(def(tool(), tool(undefined, null as unknown as undefined))).definition.tools.map((t) => t.view)).toEqual([{ kind: 'card' }, undefined]);
  });

  it("keeps a spec's choice, fills a requested table from the schema (whatever is beside the list), and drops `off`", () => {
    const page = { type: 'object', properties: { data: { type: 'array', items: pet }, meta: { type: 'object' }, links: { type: 'object' } } };
    const { definition, warnings } = applyViews(def(tool({ kind: 'json' }), tool({ kind: 'table', at: [], columns: [] }, page), tool({ kind: 'off' })));
    expect(definition.tools.map((t) => t.view)).toEqual([{ kind: 'json' }, { kind: 'table', at: ['data'], columns: ['id', 'name', 'category', 'tags'] }, undefined]);
    expect('view' in definition.tools[2]!).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('warns when the schema cannot give what the spec asked for, and falls back to the chosen view', () => {
    const { definition, warnings } = applyViews(def(tool({ kind: 'chart', at: [], layout: 'columns', x: '', series: [] })));
    expect(definition.tools[0]!.view).toEqual({ kind: 'card' });
    expect(warnings).toEqual([{ tool: 't', message: 'tool t asks for a chart view, but its output schema has no numbers over a date or time: it gets a card' }]);
  });

  it('refuses one page for two tools', () => {
    const page = (name: string) => ({ ...tool({ kind: 'custom', file: 'p.html' }), name });
    expect(() => applyViews(def(page('a'), page('b')))).toThrow('views/p.html is the page of both a and b');
  });

  it('--apps off removes every view', () => {
    expect(applyViews(def(tool(), tool({ kind: 'chart', at: [], layout: 'rows', x: 'a', series: [] })), 'off').definition.tools.every((t) => !('view' in t))).toBe(true);
  });
});
