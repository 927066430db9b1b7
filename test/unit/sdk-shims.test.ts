/**
 * src/runtime/sdk-shims.ts replaces the SDK's `_shims` module in every generated bundle, so it must
 * keep exporting what the SDK imports from there, and its validator must still validate.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from '../../src/runtime/sdk-shims.js';

describe('sdk-shims', () => {
  it('exports what the SDK node shim exports', async () => {
    const sdk = (await import('@modelcontextprotocol/server/_shims')) as Record<string, unknown>;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(sdk).sort());
    expect(ours.process).toBe(sdk['process']);
  });

  it('loads ajv only when a schema is first validated, and validates with the SDK validator', () => {
    const require = createRequire(import.meta.url);
    const ajvProvider = require.resolve('@modelcontextprotocol/server/validators/ajv');
    const validator = new ours.DefaultJsonSchemaValidator();
    expect(require.cache[ajvProvider]).toBeUndefined();
    const check = validator.getValidator({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
    expect(require.cache[ajvProvider]).toBeDefined();
    expect(check({ n: 1 })).toEqual({ valid: true, data: { n: 1 }, errorMessage: undefined });
    expect(check({ n: 'one' })).toMatchObject({ valid: false, errorMessage: expect.stringContaining('must be integer') });
  });
});
