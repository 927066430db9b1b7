/**
 * OpenAPI lowering on small documents, input → the definition's parts (src/lower/openapi/):
 * operations to tools, parameters and bodies to one input schema and its binding, responses to
 * the output schema, security schemes to auth with env var names.
 */
import { describe, expect, it } from 'vitest';
import type { LoadedOpenApi } from '../../src/load/openapi.js';
import { lowerOpenApi } from '../../src/lower/openapi/index.js';
import { lowerRequirements, lowerSecuritySchemes } from '../../src/lower/openapi/security.js';
import type { Diagnostic } from '../../src/diagnostics.js';

const lower = (document: Record<string, unknown>, dialect: '3.0' | '3.1' = '3.1') =>
  lowerOpenApi({ document: { openapi: dialect === '3.1' ? '3.1.0' : '3.0.3', info: { title: 'Shop API', version: '2.1.0' }, ...document } as never, dialect, convertedFromSwagger2: false } as LoadedOpenApi, {
    maxNameLength: 64,
    client: 'portable',
  });

describe('lowerOpenApi', () => {
  it('names the server from the title and turns one operation into one tool', () => {
    const { definition, warnings } = lower({
      servers: [{ url: 'https://shop.example/v2' }],
      paths: {
        '/items/{id}': {
          get: {
            operationId: 'getItem',
            summary: 'Get an item',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
              { name: 'fields', in: 'query', schema: { type: 'array', items: { type: 'string' } }, explode: false },
            ],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' } } } } } } },
          },
        },
      },
    });
    expect(warnings).toEqual([]);
    expect(definition.server).toMatchObject({ name: 'shop-api', version: '2.1.0', envPrefix: 'SHOP_API' });
    expect(definition.baseUrls).toEqual(['https://shop.example/v2']);
    const [tool] = definition.tools;
    expect(tool).toMatchObject({
      name: 'getItem',
      title: 'Get an item',
      annotations: { readOnlyHint: true, openWorldHint: true },
      inputSchema: { type: 'object', properties: { id: { type: 'integer' }, fields: { type: 'array', items: { type: 'string' } } }, required: ['id'] },
      // The shape, not enforced: schema/shape-only.ts.
      outputSchema: { type: 'object', properties: { id: { type: ['number', 'null'] } } },
    });
    expect(tool!.binding).toEqual({
      kind: 'http',
      method: 'GET',
      path: '/items/{id}',
      parameters: [
        { arg: 'id', name: 'id', in: 'path', style: 'simple', explode: false },
        { arg: 'fields', name: 'fields', in: 'query', style: 'form', explode: false },
      ],
      security: [],
    });
  });

  it('renames a body field that clashes with a parameter, and wraps a non-object response', () => {
    const { definition } = lower({
      paths: {
        '/items/{id}': {
          put: {
            operationId: 'putItem',
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['name'] } } } },
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } } } },
          },
        },
      },
    });
    const tool = definition.tools[0]!;
    expect(Object.keys(tool.inputSchema.properties as object)).toEqual(['id', 'body_id', 'name']);
    expect(tool.inputSchema.required).toEqual(['id', 'name']);
    expect(tool.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(tool.outputSchema).toEqual({ type: 'object', properties: { result: { items: { type: ['string', 'null'] } } } });
    expect(tool.wrapKey).toBe('result');
  });

  it('folds 3.0 nullable into the type and keeps shared schemas as $defs', () => {
    const { definition } = lower(
      {
        paths: { '/a': { post: { operationId: 'a', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } }, responses: { '204': { description: 'none' } } } } },
        components: { schemas: { Node: { type: 'object', properties: { label: { type: 'string', nullable: true }, next: { $ref: '#/components/schemas/Node' } } } } },
      },
      '3.0',
    );
    const schema = definition.tools[0]!.inputSchema;
    expect(schema.properties).toMatchObject({ label: { type: ['string', 'null'] }, next: { $ref: '#/$defs/Node' } });
    expect(Object.keys(schema.$defs as object)).toEqual(['Node']);
  });

  it('takes what is nested past a hundred pointer segments as any value, with one warning at its place', () => {
    // 3,000 levels: deep enough to exhaust the stack of the conversion, the meta-schema validators and ajv.
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 3000; i++) schema = { type: 'array', items: schema };
    const { definition, warnings } = lower({
      paths: { '/deep': { post: { operationId: 'deep', requestBody: { content: { 'application/json': { schema } } }, responses: { '204': { description: 'ok' } } } } },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: 'schema nested too deeply (its JSON pointer passes 100 segments); what lies deeper is accepted as any value' });
    expect(warnings[0]!.pointer).toHaveLength(101);
    let depth = 0;
    for (let node = definition.tools[0]!.inputSchema.properties!['body'] as Record<string, unknown>; node.items; node = node.items as Record<string, unknown>) depth++;
    expect(depth).toBe(94);
  });

  it('refuses a document without paths, with a pointer', () => {
    expect(() => lower({})).toThrow(/no "paths"/);
  });
});

describe('lowerSecuritySchemes', () => {
  const doc = {
    components: {
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        bearer: { type: 'http', scheme: 'bearer' },
        basic: { type: 'http', scheme: 'basic' },
        cc: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example/token', scopes: { write: '', read: '' } } } },
        oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://auth.example/.well-known' },
      },
    },
  };

  it('maps each supported scheme to env var names under the server prefix, and reports the rest', () => {
    const warnings: Diagnostic[] = [];
    const schemes = lowerSecuritySchemes(doc, 'SHOP', warnings);
    expect([...schemes.values()]).toEqual([
      { id: 'api_key', type: 'apiKey', in: 'header', name: 'X-Api-Key', env: 'SHOP_API_KEY' },
      { id: 'bearer', type: 'bearer', env: 'SHOP_BEARER_TOKEN' },
      { id: 'basic', type: 'basic', usernameEnv: 'SHOP_BASIC_USERNAME', passwordEnv: 'SHOP_BASIC_PASSWORD' },
      { id: 'cc', type: 'oauth2ClientCredentials', tokenUrl: 'https://auth.example/token', scopes: ['read', 'write'], clientIdEnv: 'SHOP_CC_CLIENT_ID', clientSecretEnv: 'SHOP_CC_CLIENT_SECRET' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: expect.stringMatching(/"oidc" \(openIdConnect\) is not supported/), pointer: ['components', 'securitySchemes', 'oidc'] });
  });

  it('keeps only requirement alternatives whose schemes are all supported', () => {
    const schemes = lowerSecuritySchemes(doc, 'SHOP', []);
    expect(lowerRequirements([{ oidc: [] }, { api_key: [], bearer: [] }, {}], schemes)).toEqual([['api_key', 'bearer'], []]);
    expect(lowerRequirements(undefined, schemes)).toEqual([]);
  });
});
