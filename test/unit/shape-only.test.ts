import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { shapeOnly } from '../../src/schema/shape-only.js';

describe('shapeOnly', () => {
  const documented = {
    type: 'object',
    required: ['id', 'status'],
    additionalProperties: false,
    properties: {
      id: { type: 'integer', format: 'int64', minimum: 1, examples: [7], description: 'The id.' },
      status: { type: 'string', enum: ['open', 'closed'] },
      created: { type: 'string', format: 'date' },
      tags: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z]+$' } },
      owner: { oneOf: [{ type: 'object', properties: { login: { type: 'string' } }, required: ['login'] }, { type: 'object', properties: { name: { type: 'string' } } }] },
      // Property names that are keywords elsewhere stay properties.
      required: { type: 'boolean' },
      enum: { type: 'string' },
    },
  };

  it('keeps the shape, drops what only refuses and the prose', () => {
    expect(shapeOnly(documented)).toEqual({
      type: 'object',
      properties: {
        id: { type: ['number', 'null'] },
        status: { type: ['string', 'null'] },
        created: { type: ['string', 'null'] },
        tags: { items: { type: ['string', 'null'] } },
        owner: { anyOf: [{ properties: { login: { type: ['string', 'null'] } } }, { properties: { name: { type: ['string', 'null'] } } }] },
        required: { type: ['boolean', 'null'] },
        enum: { type: ['string', 'null'] },
      },
    });
  });

  it('accepts what real answers send that the documentation refuses', () => {
    const ajv = new Ajv2020({ strict: false });
    const answer = { id: 1.5, status: 'archived', created: '2024-01-01T00:00:00Z', tags: [], owner: { login: 'a', name: 'b' }, extra: true, required: null };
    expect(ajv.validate(documented, answer)).toBe(false);
    expect(ajv.validate(shapeOnly(documented), answer)).toBe(true);
    // One object where a list was promised, and null for a field.
    expect(ajv.validate(shapeOnly(documented), { tags: { name: 'x' }, status: null })).toBe(true);
    // Still a description: a string where a number was documented is refused.
    expect(ajv.validate(shapeOnly(documented), { id: 'seven' })).toBe(false);
  });

  it('keeps an anyOf of its own beside a oneOf turned anyOf', () => {
    expect(shapeOnly({ type: 'object', anyOf: [{ type: 'string' }], oneOf: [{ type: 'number' }] })).toEqual({
      type: 'object',
      anyOf: [{ type: ['string', 'null'] }],
      allOf: [{ anyOf: [{ type: ['number', 'null'] }] }],
    });
  });
});
