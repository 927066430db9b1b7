import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SchemaValidator } from '../../src/runtime/validate.js';

const schema = {
  type: 'object',
  properties: {
    petId: { type: 'integer' },
    status: { enum: ['available', 'sold'] },
    when: { type: 'string', format: 'date-time' },
    owner: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
  required: ['petId'],
  additionalProperties: false,
};

describe('SchemaValidator', () => {
  const v = new SchemaValidator();
  it.each([
    [{ petId: 'x' }, 'Invalid arguments for tool "getPet": /petId must be integer'],
    [{}, 'Invalid arguments for tool "getPet": missing required argument "petId"'],
    [{ petId: 1, extra: 1 }, 'Invalid arguments for tool "getPet": unexpected argument "extra"'],
    [{ petId: 1, status: 'lost' }, 'Invalid arguments for tool "getPet": /status must be one of "available", "sold"'],
    [{ petId: 1, when: 'yesterday' }, 'Invalid arguments for tool "getPet": /when must match format "date-time"'],
    [{ petId: 1, owner: {} }, 'Invalid arguments for tool "getPet": missing required property "name" at /owner'],
  ])('%j → %s', (args, message) => {
    expect(v.validateArguments('getPet', schema, args)).toEqual({ ok: false, message });
  });

  it('accepts valid input, ignores OpenAPI-only keywords and formats', () => {
    expect(v.validateArguments('getPet', schema, { petId: 1, status: 'sold' })).toEqual({ ok: true });
    const openapiish = { type: 'object', properties: { n: { type: 'integer', format: 'int64', example: 1, nullable: true } } };
    expect(v.validateArguments('x', openapiish, { n: 5 })).toEqual({ ok: true });
  });

  it('an uncompilable schema is reported, not thrown', () => {
    const bad = { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } };
    const result = v.validateArguments('broken', bad, {});
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.message).toMatch(/Tool "broken" cannot be called: its input schema is invalid/);
  });

  it('tolerates duplicate $id across tools and non-unicode patterns', () => {
    const a = { $id: 'https://x/pet', type: 'object', properties: { a: { type: 'string' } } };
    const b = { $id: 'https://x/pet', type: 'object', properties: { b: { type: 'integer' } } };
    expect(v.validateArguments('a', a, { a: 's' })).toEqual({ ok: true });
    expect(v.validateArguments('b', b, { b: 's' })).toEqual({ ok: false, message: 'Invalid arguments for tool "b": /b must be integer' });
    const pattern = { type: 'object', properties: { p: { type: 'string', pattern: '^[a-z\\_]+$' } } };
    expect(v.validateArguments('p', pattern, { p: 'a_b' })).toEqual({ ok: true });
  });

  it('a schema a stricter instance handed in refuses is validated as the server would, u flag included', () => {
    // The generator passes its strict verification instance; an unknown keyword makes it refuse.
    const strict = new SchemaValidator(new Ajv2020({ strict: false, strictSchema: true }));
    const oneCharacter = { type: 'object', properties: { c: { type: 'string', pattern: '^.$', example: 'x' } } };
    // With the u flag, as in the server, '.' is one code point: an emoji is one character.
    expect(strict.validateArguments('c', oneCharacter, { c: '😀' })).toEqual({ ok: true });
    expect(strict.validateArguments('c', oneCharacter, { c: 'ab' })).toMatchObject({ ok: false });
  });

  it('compiles lazily and caches per schema object', () => {
    const fresh = new SchemaValidator();
    const s = { type: 'object' };
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) fresh.validateArguments('x', s, {});
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
