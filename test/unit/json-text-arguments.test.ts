/**
 * Free-form objects listed as JSON text: the listed schema is strict by the Agents SDK's own
 * conversion, and the server turns the text back into the object the API takes (or refuses it,
 * naming where).
 */
import { describe, expect, it } from 'vitest';
import { isOpenAiStrict as strict } from '../helpers/openai-strict.js';
import { jsonTextArguments } from '../../src/passes/json-text-arguments.js';
import { checkedArguments } from '../../src/runtime/arguments.js';
import { mapJsonText } from '../../src/runtime/json-text.js';
import type { JsonSchema, ToolDefinition } from '../../src/runtime/definition.js';
import { SchemaValidator } from '../../src/runtime/validate.js';

const root = (properties: Record<string, unknown>, required: string[] = []): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

const labels = { type: 'object', description: 'Labels of the pet', additionalProperties: { type: 'string' } };
const schema = root(
  {
    labels,
    meta: { type: ['object', 'null'] },
    body: root({ name: { type: 'string' }, extra: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true } }, ['name']),
    rows: { type: 'array', items: { type: 'object' } },
    deep: { type: 'array', items: root({ attrs: { type: 'object', maxProperties: 2 } }, ['attrs']) },
    stand: { type: 'object', description: 'Pet (Pet: nested too deep to expand here)' },
  },
  ['labels'],
);

describe('jsonTextArguments (the listing)', () => {
  const { schema: listed, sites } = jsonTextArguments(schema);

  it('makes a schema with every kind of open object strict', () => {
    expect(strict(schema)).toBe(false);
    expect(strict(listed)).toBe(true);
  });

  it('records where each text is and the schema it stands for', () => {
    expect(sites.map((s) => s.pointer)).toEqual(['/properties/labels', '/properties/meta', '/properties/body/properties/extra', '/properties/rows/items', '/properties/deep/items/properties/attrs', '/properties/stand']);
    expect(sites[0]!.schema).toBe(labels);
  });

  it('says what the text must hold, keeps null allowed, and leaves the input untouched', () => {
    const props = listed.properties as Record<string, JsonSchema>;
    expect(props.labels).toEqual({ type: 'string', description: 'Labels of the pet. A JSON object, written as text, values of type string (e.g. {"key": "value"}).' });
    const counts = jsonTextArguments(root({ n: { type: 'object', additionalProperties: { type: 'integer' } }, own: { type: 'object', example: { team: 'a' } } })).schema.properties as Record<string, JsonSchema>;
    expect(counts.n!.description).toBe('A JSON object, written as text, values of type integer (e.g. {"key": 1}).');
    expect(counts.own!.description).toBe('A JSON object, written as text (e.g. {"team":"a"}).');
    expect(props.meta!.type).toEqual(['string', 'null']);
    expect((schema.properties as Record<string, JsonSchema>).labels).toBe(labels);
  });

  it('leaves alone what strict mode already takes, and objects it cannot name a path to', () => {
    const closed = root({ a: root({ b: { type: 'string' } }), tags: { type: 'array', items: { type: 'string' } } });
    expect(jsonTextArguments(closed)).toEqual({ schema: closed, sites: [] });
    const branches = root({ a: { anyOf: [{ type: 'object' }, { type: 'string' }] }, b: { type: ['object', 'string'] }, c: { type: 'object', allOf: [{ required: ['x'] }] } });
    expect(jsonTextArguments(branches).sites).toEqual([]);
  });
});

describe('jsonTextArguments with $defs (--client openai keeps them)', () => {
  const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
  const withDefs = {
    ...root({ pet: ref('Pet'), labels: ref('Labels'), either: { anyOf: [ref('Hidden'), { type: 'string' }] } }),
    $defs: {
      Pet: root({ meta: { type: 'object' }, kids: { type: 'array', items: ref('Pet') }, tags: ref('Labels') }),
      Labels: { type: 'object', additionalProperties: { type: 'string' } },
      // Reached only through an anyOf branch, where the server does not look: left as objects.
      Hidden: root({ meta: { type: 'object' }, inner: ref('Inner') }),
      Inner: root({ meta: { type: 'object' } }),
    },
  } as JsonSchema;
  const { schema: listed, sites } = jsonTextArguments(withDefs);
  const tool = { name: 'pets', inputSchema: listed, jsonTextArguments: sites } as ToolDefinition;

  it('lists open objects in definitions the server reaches as text, and the rest as they were', () => {
    expect(sites.map((s) => s.pointer)).toEqual(['/$defs/Pet/properties/meta', '/$defs/Labels']);
    const defs = listed.$defs as Record<string, JsonSchema>;
    expect(defs.Hidden).toBe((withDefs.$defs as Record<string, JsonSchema>).Hidden);
    expect(defs.Labels!.type).toBe('string');
  });

  it('parses text found through $refs, recursive ones included', () => {
    const sent = { pet: { meta: '{"a":1}', kids: [{ meta: '{"b":2}', kids: [], tags: '{"t":"x"}' }] }, labels: '{"l":"y"}' };
    expect(checkedArguments(tool, sent, new SchemaValidator())).toEqual({
      ok: true,
      args: { pet: { meta: { a: 1 }, kids: [{ meta: { b: 2 }, kids: [], tags: { t: 'x' } }] }, labels: { l: 'y' } },
    });
    expect(checkedArguments(tool, { pet: { kids: [{ tags: '{"t":1}' }] } }, new SchemaValidator())).toEqual({
      ok: false,
      message: 'Invalid arguments for tool "pets": /pet/kids/0/tags/t must be string (/pet/kids/0/tags is JSON text)',
    });
  });

  it('touches nothing the server would not find: beside a $ref with constraints, or behind a reference into a definition', () => {
    // `allOf: [{ $ref: Base }, {…}]` that could not be merged ends as a $ref with keywords beside it.
    const beside = { ...root({ body: { $ref: '#/$defs/Base', type: 'object', properties: { labels: { type: 'object' } } } }), $defs: { Base: root({ meta: { type: 'object' } }) } } as JsonSchema;
    expect(jsonTextArguments(beside).sites).toEqual([]);
    const deep = { ...root({ a: ref('X'), b: { $ref: '#/$defs/X/properties/meta' } }), $defs: { X: root({ meta: { type: 'object' } }) } } as JsonSchema;
    expect(jsonTextArguments(deep)).toEqual({ schema: deep, sites: [] });
  });

  it('gives a text whose schema uses definitions a copy of them, as they were', () => {
    const map = { ...root({ pets: { type: 'object', additionalProperties: ref('Pet') }, pet: ref('Pet') }), $defs: { Pet: root({ meta: { type: 'object' }, owner: ref('Person') }), Person: root({ name: { type: 'string' } }) } } as JsonSchema;
    const encoded = jsonTextArguments(map);
    // Pet is also a value inside the map's text, where the server does not look: it stays an object.
    expect(encoded.sites).toEqual([{ pointer: '/properties/pets', schema: { type: 'object', additionalProperties: ref('Pet'), $defs: map.$defs } }]);
    const args = { pets: '{"rex":{"meta":{"a":1},"owner":{"name":"n"}}}' };
    expect(checkedArguments({ name: 'm', inputSchema: encoded.schema, jsonTextArguments: encoded.sites } as ToolDefinition, args, new SchemaValidator())).toEqual({ ok: true, args: { pets: { rex: { meta: { a: 1 }, owner: { name: 'n' } } } } });
    const wrong = { pets: '{"rex":{"owner":{"name":1}}}' };
    expect(checkedArguments({ name: 'm', inputSchema: encoded.schema, jsonTextArguments: encoded.sites } as ToolDefinition, wrong, new SchemaValidator())).toMatchObject({ ok: false, message: expect.stringContaining('/pets/rex/owner/name must be string') });
  });

  it('ends on a cycle of bare references', () => {
    const cyclic = { ...root({ a: ref('A') }), $defs: { A: ref('B'), B: ref('A'), M: { type: 'object' } } } as JsonSchema;
    const encoded = jsonTextArguments(cyclic);
    expect(encoded.sites.map((s) => s.pointer)).toEqual(['/$defs/M']);
    // (ajv refuses such a schema; the walk must still end.)
    expect(mapJsonText({ name: 'c', inputSchema: encoded.schema, jsonTextArguments: encoded.sites } as ToolDefinition, { a: 'x' }, () => 'parsed')).toEqual({ a: 'x' });
  });
});

describe('checkedArguments (the server)', () => {
  const { schema: listed, sites } = jsonTextArguments(schema);
  const tool = { name: 'pets', inputSchema: listed, jsonTextArguments: sites } as ToolDefinition;
  const validator = new SchemaValidator();

  it('parses every text back into the object it stands for, without changing what was sent', () => {
    const sent = { labels: '{"team":"a"}', meta: null, body: { name: 'n', extra: '{"a":"x","b":1}' }, rows: ['{"x":1}', '{}'], deep: [{ attrs: '{"k":true}' }] };
    const copy = structuredClone(sent);
    const checked = checkedArguments(tool, sent, validator);
    expect(checked).toEqual({ ok: true, args: { labels: { team: 'a' }, meta: null, body: { name: 'n', extra: { a: 'x', b: 1 } }, rows: [{ x: 1 }, {}], deep: [{ attrs: { k: true } }] } });
    expect(sent).toEqual(copy);
  });

  it('refuses text that is not JSON, or not what the API takes, naming where', () => {
    expect(checkedArguments(tool, { labels: 'team=a' }, validator)).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid arguments for tool "pets": \/labels must be a JSON object written as text \(/) });
    expect(checkedArguments(tool, { labels: '{"team":1}' }, validator)).toEqual({ ok: false, message: 'Invalid arguments for tool "pets": /labels/team must be string (/labels is JSON text)' });
    expect(checkedArguments(tool, { labels: '[]' }, validator)).toEqual({ ok: false, message: 'Invalid arguments for tool "pets": /labels must be object (/labels is JSON text)' });
    expect(checkedArguments(tool, { labels: '{}', deep: [{ attrs: '{}' }, { attrs: '{"a":1,"b":2,"c":3}' }] }, validator)).toEqual({
      ok: false,
      message: 'Invalid arguments for tool "pets": /deep/1/attrs must NOT have more than 2 properties (/deep/1/attrs is JSON text)',
    });
  });

  it('takes the object itself where its text is listed (models often send it), checked all the same', () => {
    expect(checkedArguments(tool, { labels: { team: 'a' }, rows: [{ x: 1 }, '{}'] }, validator)).toEqual({ ok: true, args: { labels: { team: 'a' }, rows: [{ x: 1 }, {}] } });
    expect(checkedArguments(tool, { labels: { team: 1 } }, validator)).toEqual({ ok: false, message: 'Invalid arguments for tool "pets": /labels/team must be string (/labels is JSON text)' });
    expect(checkedArguments(tool, { labels: 5 }, validator)).toEqual({ ok: false, message: 'Invalid arguments for tool "pets": /labels must be string' });
  });

  it('keeps a key named __proto__ on the way down as a key', () => {
    // JSON text: an object literal's `__proto__` would set a prototype, not a property.
    // (ajv itself refuses `__proto__` beside `additionalProperties: false`, so the root leaves it open.)
    const odd = jsonTextArguments({ type: 'object', properties: JSON.parse(`{"__proto__":${JSON.stringify(root({ m: { type: 'object' } }))}}`) });
    expect(odd.sites.map((s) => s.pointer)).toEqual(['/properties/__proto__/properties/m']);
    const checked = checkedArguments({ name: 'odd', inputSchema: odd.schema, jsonTextArguments: odd.sites } as ToolDefinition, JSON.parse('{"__proto__":{"m":"{\\"a\\":1}"}}'), validator);
    expect(checked.ok && Object.getOwnPropertyDescriptor(checked.args, '__proto__')?.value).toEqual({ m: { a: 1 } });
  });
});
