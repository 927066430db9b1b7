import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ListToolsResultSchema as ListToolsV2 } from '@modelcontextprotocol/core/internal';
import { ListToolsResultSchema as ListToolsV1 } from '@modelcontextprotocol/sdk/types.js';
import { validate2020, validateDraft07, validateToolsList } from '../../src/passes/meta-validators.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as <T>(ajv: T) => T;
// @ts-expect-error: a plain .mjs script without types
import { metaValidatorsSource, TARGET } from '../scripts/meta-validators.mjs';

describe('precompiled meta-schema validators', () => {
  it('are what test/scripts/meta-validators.mjs writes with the installed ajv and SDK', () => {
    expect(readFileSync(TARGET as string, 'utf8') === (metaValidatorsSource as () => string)(), 'stale: run node test/scripts/meta-validators.mjs').toBe(true);
  });

  // The precompiled functions must judge like ajv's own validateSchema.
  const samples: unknown[] = [
    { type: 'object', properties: { a: { type: 'string', format: 'date-time' } }, required: ['a'] },
    { type: ['string', 'null'], enum: ['a', 'a'] },
    { type: 'strng' },
    { type: 'array', items: [{ type: 'string' }] },
    { type: 'object', additionalItems: 5 },
    { minLength: -1 },
    { required: 'id' },
    { $defs: { n: { type: 'object', properties: { next: { $ref: '#/$defs/n' } } } }, $ref: '#/$defs/n' },
    { definitions: { x: 3 } },
    { pattern: '(' },
    true,
  ];
  // Plain instances, and instances with the options verification used before it had these
  // functions (strict keywords, union types, ajv-formats).
  const plain = [new Ajv2020({ strict: false }), new Ajv({ strict: false })] as const;
  const asVerified = [
    addFormats(new Ajv2020({ strict: false, strictSchema: true, allowUnionTypes: true, validateFormats: true })),
    addFormats(new Ajv({ strict: false, validateFormats: true })),
  ] as const;
  it.each(samples.map((s) => [JSON.stringify(s), s]))('agree with ajv on %s', (_text, schema) => {
    for (const [ajv2020, ajv07] of [plain, asVerified]) {
      expect(validate2020(schema)).toBe(ajv2020.validateSchema(schema as object));
      expect(validateDraft07(schema)).toBe(ajv07.validateSchema(schema as object));
    }
  });

  // The tools/list check must judge like the SDKs' zod schemas that client.listTools() applies.
  const tool = { name: 't', inputSchema: { type: 'object' } };
  const listings: unknown[] = [
    { tools: [tool] },
    { tools: [{ ...tool, title: 'T', outputSchema: { type: 'object', properties: { a: {} } }, annotations: { readOnlyHint: true } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { constructor: { type: 'string' } }, required: ['constructor'] } }] },
    { tools: [], nextCursor: 'x' },
    { tools: [{ ...tool, inputSchema: { type: 'array' } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: [] } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { x: true } } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { x: 'string' } } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { x: [] } } }] },
    { tools: [{ ...tool, outputSchema: { type: 'object', properties: { x: null } } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', required: 'a' } }] },
    { tools: [{ ...tool, annotations: { readOnlyHint: 'yes' } }] },
    { tools: [{ inputSchema: { type: 'object' } }] },
    { tools: [{ ...tool, outputSchema: { properties: {} } }] },
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { x: { type: 'object', properties: { y: { enum: [1, 'a', null, { z: [true, 2.5] }], default: { deep: [[null]] } } } } } } }] },
    // Not JSON in memory, and not there on the wire: clients judge what they parse.
    { tools: [{ ...tool, inputSchema: { type: 'object', properties: { x: { type: 'string', default: undefined } } } }] },
    {},
  ];
  it.each(listings.map((l) => [JSON.stringify(l), l]))('judge the tools/list result %s as the SDKs 1.x and 2.x both do', (_text, listing) => {
    const received = JSON.parse(JSON.stringify(listing)) as unknown;
    expect(validateToolsList(listing)).toBe(ListToolsV1.safeParse(received).success && ListToolsV2.safeParse(received).success);
  });
});

