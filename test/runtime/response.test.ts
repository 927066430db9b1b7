import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../src/runtime/definition.js';
import { toToolResult } from '../../src/runtime/upstream/response.js';
import type { UpstreamResponse } from '../../src/runtime/upstream/response.js';
import { SchemaValidator } from '../../src/runtime/validate.js';

const validator = new SchemaValidator();

function tool(overrides: Partial<ToolDefinition> = {}, wrapKey?: string): ToolDefinition {
  return {
    name: 't',
    description: 'd',
    inputSchema: { type: 'object' },
    annotations: {},
    binding: { kind: 'http', method: 'GET', path: '/x', parameters: [], security: [] },
    ...(wrapKey ? { wrapKey } : {}),
    ...overrides,
  };
}

function res(status: number, contentType: string, body: string | Buffer, extra: Partial<UpstreamResponse> = {}): UpstreamResponse {
  return { status, statusText: '', contentType, bytes: Buffer.isBuffer(body) ? body : Buffer.from(body), truncated: false, ...extra };
}

const petSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' } },
  required: ['id'],
};
const listSchema = { type: 'object', properties: { items: { type: 'array', items: petSchema } }, required: ['items'] };

const text = (r: ReturnType<typeof toToolResult>, i = 0): string => {
  const c = r.content[i];
  return c && c.type === 'text' ? c.text : '';
};

describe('toToolResult', () => {
  it('2xx JSON with output schema → structuredContent', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'application/json; charset=utf-8', '{"id":1,"name":"Rex"}'), { validator });
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toEqual({ id: 1, name: 'Rex' });
    expect(text(r)).toBe('{"id":1,"name":"Rex"}');
  });

  it('wraps arrays under wrapKey before validating', () => {
    const r = toToolResult(tool({ outputSchema: listSchema }, 'items'), res(200, 'application/problem+json', '[{"id":1}]'), { validator });
    expect(r.structuredContent).toEqual({ items: [{ id: 1 }] });
  });

  it('schema mismatch → isError with instance path and body excerpt', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'application/json', '{"id":"x"}'), { validator });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toMatch(/does not match the declared output schema: \/id must be integer/);
    expect(text(r)).toContain('{"id":"x"}');
  });

  it('non-object without wrapKey → isError', () => {
    const r = toToolResult(tool({ outputSchema: {} }), res(200, 'application/json', '42'), { validator });
    expect(r.isError).toBe(true);
  });

  it('JSON without output schema → text only', () => {
    const r = toToolResult(tool(), res(200, 'application/json', '[1,2]\n'), { validator });
    expect(r).toEqual({ content: [{ type: 'text', text: '[1,2]' }] });
  });

  it('invalid JSON with JSON content type → isError', () => {
    const r = toToolResult(tool(), res(200, 'application/json', '{oops'), { validator });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/not valid JSON.*\n\{oops/s);
  });

  it('text and xml → text content', () => {
    expect(toToolResult(tool(), res(200, 'text/plain', 'hello'), { validator })).toEqual({ content: [{ type: 'text', text: 'hello' }] });
    expect(text(toToolResult(tool(), res(200, 'application/xml', '<a/>'), { validator }))).toBe('<a/>');
    expect(text(toToolResult(tool(), res(200, 'text/plain; charset=latin1', Buffer.from([0xe9])), { validator }))).toBe('é');
  });

  it('image → image content', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    expect(toToolResult(tool(), res(200, 'image/png', png), { validator }).content[0]).toEqual({ type: 'image', data: png.toString('base64'), mimeType: 'image/png' });
  });

  it('other binary → description', () => {
    expect(text(toToolResult(tool(), res(200, 'application/pdf', Buffer.alloc(10)), { validator }))).toBe('[binary response: application/pdf, 10 bytes]');
    expect(text(toToolResult(tool(), res(200, '', Buffer.from([0, 1, 2])), { validator }))).toMatch(/binary response: unknown content type, 3 bytes/);
  });

  it('204 / empty body', () => {
    expect(toToolResult(tool(), res(204, '', ''), { validator })).toEqual({ content: [{ type: 'text', text: 'HTTP 204 No Content' }] });
    // With an output schema that accepts {}, structured content is {}.
    const loose = toToolResult(tool({ outputSchema: { type: 'object' } }), res(204, '', ''), { validator });
    expect(loose.structuredContent).toEqual({});
    // One that does not → isError, since SDK clients would reject a success without it.
    const strict = toToolResult(tool({ outputSchema: petSchema }), res(204, '', ''), { validator });
    expect(strict.isError).toBe(true);
    expect(text(strict)).toMatch(/HTTP 204 No Content: .*empty body/);
  });

  it('non-2xx → isError with status and excerpt', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(404, 'application/json', '{"message":"no pet"}'), { validator });
    expect(r).toEqual({ content: [{ type: 'text', text: 'HTTP 404 Not Found: {"message":"no pet"}' }], isError: true });
    const long = toToolResult(tool(), res(500, 'text/plain', 'x'.repeat(5000), { statusText: 'Boom' }), { validator });
    expect(text(long).startsWith('HTTP 500 Boom: xxx')).toBe(true);
    expect(text(long).length).toBeLessThan(2100);
    expect(text(toToolResult(tool(), res(503, '', ''), { validator }))).toBe('HTTP 503 Service Unavailable');
  });

  it('truncated without schema → text + note, not an error', () => {
    const r = toToolResult(tool(), res(200, 'application/json', '{"a":"xxxx', { truncated: true }), { validator });
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toBe('{"a":"xxxx');
    expect(text(r, 1)).toBe('[truncated at 10 bytes]');
  });

  it('truncated with schema → isError (structured output impossible)', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'application/json', '{"id":1', { truncated: true }), { validator });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/MCP_MAX_RESPONSE_BYTES.*truncated at 7 bytes/s);
  });

  it('2xx text/plain JSON with an output schema is still parsed', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'text/plain', '{"id":2}'), { validator });
    expect(r.structuredContent).toEqual({ id: 2 });
    const html = toToolResult(tool({ outputSchema: petSchema }), res(200, 'text/html', '<html>'), { validator });
    expect(html.isError).toBe(true);
  });
});
