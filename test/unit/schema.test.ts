import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { collectDefs, convertSchema, createSchemaContext, isObjectSchema } from '../../src/lower/openapi/schema.js';

function convert(schema: unknown, opts: { dialect?: '3.0' | '3.1'; direction?: 'input' | 'output'; doc?: object } = {}) {
  const warnings: Diagnostic[] = [];
  const ctx = createSchemaContext(opts.doc ?? {}, opts.dialect ?? '3.0', warnings);
  const refs = new Set<string>();
  const out = convertSchema(ctx, schema, opts.direction ?? 'input', [], refs);
  const defs = collectDefs(ctx, refs, opts.direction ?? 'input');
  return { out, defs, warnings };
}

const strictAjv = () => {
  const ajv = new Ajv2020.default({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
  addFormats.default(ajv);
  return ajv;
};

describe('OpenAPI schema → JSON Schema 2020-12', () => {
  it.each<[string, unknown, unknown]>([
    ['nullable folds into type', { type: 'string', nullable: true }, { type: ['string', 'null'] }],
    ['nullable enum gains null', { type: 'string', enum: ['a'], nullable: true }, { type: ['string', 'null'], enum: ['a', null] }],
    ['boolean exclusiveMinimum', { type: 'number', minimum: 0, exclusiveMinimum: true }, { type: 'number', exclusiveMinimum: 0 }],
    ['boolean exclusiveMaximum false', { type: 'number', maximum: 9, exclusiveMaximum: false }, { type: 'number', maximum: 9 }],
    ['example → examples', { type: 'string', example: 'x' }, { type: 'string', examples: ['x'] }],
    ['OAS-only keywords dropped', { type: 'object', xml: { name: 'a' }, discriminator: { propertyName: 't' }, externalDocs: {}, 'x-foo': 1 }, { type: 'object' }],
    ['unknown format dropped', { type: 'string', format: 'uint32' }, { type: 'string' }],
    ['known format kept', { type: 'string', format: 'date-time' }, { type: 'string', format: 'date-time' }],
    ['duplicate enum members removed', { enum: ['a', 'b', 'a'] }, { enum: ['a', 'b'] }],
    ['array without items gets one', { type: 'array' }, { type: 'array', items: {} }],
    ['tuple items → prefixItems', { type: 'array', items: [{ type: 'string' }] }, { type: 'array', prefixItems: [{ type: 'string' }] }],
    ['empty combinator dropped', { allOf: [] }, {}],
    ['bad numeric keyword dropped', { type: 'string', minLength: '3' }, { type: 'string' }],
    ['unknown type dropped', { type: 'file' }, {}],
  ])('%s', (_name, input, want) => {
    expect(convert(input).out).toEqual(want);
  });

  it('drops a pattern that is not a valid ECMAScript (u) regex, with a warning', () => {
    const { out, warnings } = convert({ type: 'string', pattern: '^[a-zA-Z0-9\\_\\-]+$' });
    expect(out).toEqual({ type: 'string' });
    expect(warnings[0]?.message).toMatch(/not a valid ECMAScript regular expression/);
  });

  it('leaves readOnly properties out of requests and writeOnly ones out of responses', () => {
    const schema = {
      type: 'object',
      required: ['id', 'name', 'secret'],
      properties: { id: { type: 'integer', readOnly: true }, name: { type: 'string' }, secret: { type: 'string', writeOnly: true } },
    };
    const input = convert(schema).out;
    expect(Object.keys(input.properties as object)).toEqual(['name', 'secret']);
    expect(input.required).toEqual(['name', 'secret']);
    const output = convert(schema, { direction: 'output' }).out;
    expect(Object.keys(output.properties as object)).toEqual(['id', 'name']);
  });

  it('keeps recursive schemas as $defs that ajv compiles', () => {
    const doc = {
      components: {
        schemas: {
          Node: { type: 'object', properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
        },
      },
    };
    const { out, defs } = convert({ $ref: '#/components/schemas/Node' }, { doc });
    expect(out).toEqual({ $ref: '#/$defs/Node' });
    expect(Object.keys(defs!)).toEqual(['Node']);
    const schema = { type: 'object', properties: { tree: out }, $defs: defs };
    const validate = strictAjv().compile(schema);
    expect(validate({ tree: { value: 'a', children: [{ value: 'b', children: [] }] } })).toBe(true);
    expect(validate({ tree: { value: 1 } })).toBe(false);
  });

  it('applies $ref siblings in 3.1 and ignores them in 3.0', () => {
    const doc = { components: { schemas: { A: { type: 'string' } } } };
    expect(convert({ $ref: '#/components/schemas/A', description: 'x' }, { doc, dialect: '3.1' }).out).toEqual({ $ref: '#/$defs/A', description: 'x' });
    expect(convert({ $ref: '#/components/schemas/A', description: 'x' }, { doc, dialect: '3.0' }).out).toEqual({ $ref: '#/$defs/A' });
  });

  it('refuses an unresolvable $ref with its location', () => {
    expect(() => convert({ $ref: '#/components/schemas/Missing' })).toThrow(/unresolvable \$ref "#\/components\/schemas\/Missing"/);
  });

  it('output of every case compiles in ajv strict mode', () => {
    const nasty = {
      type: 'object',
      nullable: true,
      properties: {
        a: { type: 'integer', format: 'int32', minimum: 1, exclusiveMinimum: true, example: 2, 'x-internal': true },
        b: { allOf: [{ type: 'object', properties: { c: { type: 'array' } } }], discriminator: { propertyName: 'c' } },
        d: { oneOf: [{ type: 'string', pattern: '[\\p{Upper}]+' }, { type: 'null' }] },
      },
    };
    const { out } = convert(nasty);
    expect(() => strictAjv().compile(out)).not.toThrow();
  });

  it('knows when a schema is an object', () => {
    const ctx = createSchemaContext({ components: { schemas: { O: { properties: { a: {} } } } } }, '3.0', []);
    expect(isObjectSchema(ctx, { $ref: '#/components/schemas/O' })).toBe(true);
    expect(isObjectSchema(ctx, { type: 'array' })).toBe(false);
    expect(isObjectSchema(ctx, { type: 'object', nullable: true })).toBe(false);
    expect(isObjectSchema(ctx, { allOf: [{ $ref: '#/components/schemas/O' }] })).toBe(true);
  });
});
