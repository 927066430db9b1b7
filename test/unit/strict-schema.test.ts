/**
 * Input schemas rewritten for OpenAI strict mode: each case is checked with the Agents SDK's own
 * conversion (strict before: no; after: yes) and with ajv on values that must keep their verdict.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { isOpenAiStrict as strict } from '../helpers/openai-strict.js';
import { strictFriendly } from '../../src/passes/strict-schema.js';
import type { JsonSchema } from '../../src/runtime/definition.js';

const ajv = new Ajv2020({ strict: false });
const root = (properties: Record<string, unknown>, required: string[] = []): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

const CASES: Array<{ name: string; schema: JsonSchema; values: unknown[] }> = [
  {
    name: 'nested allOf of objects',
    schema: root({ pet: { allOf: [{ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }, { type: 'object', properties: { age: { type: 'integer' } } }] } }, ['pet']),
    values: [{ pet: { name: 'a', age: 1 } }, { pet: { age: 1 } }, { pet: { name: 'a', age: 'x' } }, { pet: 'a' }],
  },
  {
    name: 'oneOf of distinct types',
    schema: root({ id: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }, ['id']),
    values: [{ id: 'a' }, { id: 3 }, { id: 2.5 }, { id: true }],
  },
  {
    name: 'oneOf told apart by a required constant',
    schema: root({
      shape: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number' } }, required: ['kind', 'r'], additionalProperties: false },
          { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'], additionalProperties: false },
        ],
      },
    }, ['shape']),
    values: [{ shape: { kind: 'circle', r: 1 } }, { shape: { kind: 'square', side: 2 } }, { shape: { kind: 'circle', side: 2 } }, { shape: {} }],
  },
  {
    name: 'anyOf beside type and format',
    schema: root({ when: { type: 'string', description: 'a day or a time', anyOf: [{ format: 'date' }, { pattern: '^\\d\\d:\\d\\d$' }] } }, ['when']),
    values: [{ when: '12:30' }, { when: 'noon' }, { when: 5 }],
  },
  {
    name: 'a typeless object',
    schema: root({ filter: { properties: { q: { type: 'string' } }, required: ['q'] } }, ['filter']),
    values: [{ filter: { q: 'a' } }, { filter: {} }],
  },
  {
    name: '$ref with constraints beside it, and $ref among allOf parts (--client openai keeps $defs)',
    schema: {
      ...root({ owner: { $ref: '#/$defs/Person', type: 'object', required: ['name'] }, pet: { allOf: [{ $ref: '#/$defs/Animal' }, { type: 'object', properties: { name: { type: 'string' } } }] } }, ['owner']),
      $defs: {
        Person: { type: 'object', properties: { name: { type: 'string' }, boss: { $ref: '#/$defs/Person' } } },
        Animal: { type: 'object', properties: { legs: { type: 'integer' } }, required: ['legs'] },
      },
    },
    values: [{ owner: { name: 'a', boss: { name: 'b' } } }, { owner: {} }, { owner: { name: 'a' }, pet: { legs: 4, name: 'x' } }, { owner: { name: 'a' }, pet: { name: 'x' } }],
  },
];

describe('strictFriendly', () => {
  for (const { name, schema, values } of CASES) {
    it(`${name}: strict afterwards, with the same verdict on every value`, () => {
      const after = strictFriendly(schema);
      expect(strict(schema)).toBe(false);
      expect(strict(after)).toBe(true);
      const [before, now] = [ajv.compile(schema), ajv.compile(after)];
      for (const value of values) expect(now(value), JSON.stringify(value)).toBe(before(value));
    });
  }

  it('leaves what it cannot keep equivalent: overlapping oneOf, incompatible allOf, free-form maps', () => {
    const overlapping = root({ x: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 3 }] } });
    const incompatible = root({ x: { allOf: [{ type: 'string' }, { type: 'integer' }] } });
    const map = root({ tags: { type: 'object', additionalProperties: { type: 'string' } } });
    for (const schema of [overlapping, incompatible, map]) expect(strictFriendly(schema)).toEqual(schema);
  });

  // Cases a review found where an earlier version changed the verdict, crashed or blew up.
  const KEPT: Array<{ name: string; schema: JsonSchema; values: unknown[] }> = [
    {
      name: 'two $refs at one property of two allOf parts',
      schema: { ...root({ x: { allOf: [{ type: 'object', properties: { p: { $ref: '#/$defs/S' } } }, { type: 'object', properties: { p: { $ref: '#/$defs/Short' } } }] } }), $defs: { S: { type: 'string' }, Short: { maxLength: 3 } } },
      values: [{ x: { p: 'abcdef' } }, { x: { p: 'ab' } }],
    },
    {
      name: 'allOf of parts that each have anyOf (integer ∧ number)',
      schema: root({ x: { allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 3 }] }] } }),
      values: [{ x: 5 }, { x: 'ab' }, { x: 'abcdef' }],
    },
    {
      name: 'prefixItems and items in two parts',
      schema: root({ x: { allOf: [{ type: 'array', prefixItems: [{ type: 'string' }] }, { type: 'array', items: { type: 'integer' } }] } }),
      values: [{ x: ['s'] }, { x: [1] }],
    },
    {
      name: 'typing a oneOf branch would widen the oneOf',
      schema: root({ x: { oneOf: [{ type: 'string' }, { properties: { k: { type: 'integer' } }, required: ['k'] }] } }),
      values: [{ x: 's' }, { x: { k: 1 } }],
    },
    {
      name: 'constants separate only objects',
      schema: root({ x: { oneOf: [{ type: ['object', 'string'], required: ['k'], properties: { k: { const: 1 } } }, { type: ['object', 'string'], required: ['k'], properties: { k: { const: 2 } } }] } }),
      values: [{ x: 's' }, { x: { k: 1 } }],
    },
    {
      name: 'object constants in another key order are equal',
      schema: root({ x: { oneOf: [{ type: 'object', required: ['k'], properties: { k: { enum: [{ a: 1, b: 2 }] } } }, { type: 'object', required: ['k'], properties: { k: { enum: [{ b: 2, a: 1 }] } } }] } }),
      values: [{ x: { k: { a: 1, b: 2 } } }],
    },
  ];
  for (const { name, schema, values } of KEPT) {
    it(`keeps the verdict: ${name}`, () => {
      const [before, now] = [ajv.compile(schema), ajv.compile(strictFriendly(schema))];
      for (const value of values) expect(now(value), JSON.stringify(value)).toBe(before(value));
    });
  }

  it('a recursive definition behind a described $ref neither recurses forever nor grows', () => {
    const node = { type: 'object', properties: { name: { type: 'string' }, kids: { type: 'array', items: { allOf: [{ $ref: '#/$defs/Node' }], description: 'a child' } } } };
    const chain: Record<string, unknown> = {};
    for (let i = 0; i < 14; i++) chain[`D${i}`] = { type: 'object', properties: { a: { allOf: [{ $ref: `#/$defs/D${i + 1}` }], description: 'a' }, b: { $ref: `#/$defs/D${i + 1}`, minProperties: 1 } } };
    chain.D14 = { type: 'object', properties: { leaf: { type: 'string' } } };
    const schema = { ...root({ tree: { $ref: '#/$defs/Node', type: 'object' }, deep: { $ref: '#/$defs/D0' } }), $defs: { Node: node, ...chain } } as JsonSchema;
    const after = strictFriendly(schema);
    expect(JSON.stringify(after).length).toBeLessThan(4 * JSON.stringify(schema).length);
    expect((after.$defs as Record<string, { properties: { kids: { items: unknown } } }>).Node.properties.kids.items).toEqual({ $ref: '#/$defs/Node', description: 'a child' });
  });

  it('returns a schema that needs nothing as it is', () => {
    const plain = root({ a: { type: 'string' } }, ['a']);
    expect(strictFriendly(plain)).toBe(plain);
  });
});
