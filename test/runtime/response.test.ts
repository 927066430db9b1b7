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

  it('schema mismatch → isError naming the rule, with the whole answer for the model', () => {
    const long = 'y'.repeat(5_000);
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'application/json', JSON.stringify({ id: 'x', note: long })), { validator });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toMatch(/does not match this tool's declared output schema \(\/id must be integer\)/);
    // All of it, not an excerpt: the data is what the model asked for.
    expect(text(r)).toContain(JSON.stringify({ id: 'x', note: long }));
  });

  it('a JSON null answer counts as an empty one', () => {
    const open = toToolResult(tool({ outputSchema: { type: 'object' } }), res(202, 'application/json', 'null'), { validator });
    expect(open).toEqual({ content: [{ type: 'text', text: 'HTTP 202 Accepted' }], structuredContent: {} });
    const wrapped = toToolResult(tool({ outputSchema: { type: 'object', properties: { result: {} } } }, 'result'), res(200, 'application/json', 'null'), { validator });
    expect(wrapped.structuredContent).toEqual({ result: null });
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

  it('cut at the read limit without schema → the first budget bytes as text + note, not an error', () => {
    const r = toToolResult(tool(), res(200, 'application/json', '{"a":"xxxx', { truncated: true }), { validator, budget: 6 });
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toBe('{"a":"');
    expect(text(r, 1)).toBe('[truncated: the answer is over 10 bytes, the most this server reads (16 × MCP_MAX_RESPONSE_BYTES); the first 6 bytes are shown]');
  });

  it('cut at the read limit with schema → isError (structured output impossible)', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'application/json', '{"id":1', { truncated: true }), { validator });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/too large to return as structured output.*MCP_MAX_RESPONSE_BYTES/s);
  });

  it('text over the budget → its first budget bytes, cut at a character boundary, and a note', () => {
    const r = toToolResult(tool(), res(200, 'text/plain', 'ééééé'), { validator, budget: 5 });
    expect(text(r)).toBe('éé');
    expect(text(r, 1)).toBe('[truncated: the answer has 10 bytes; the first 4 are shown (MCP_MAX_RESPONSE_BYTES)]');
  });

  it('a JSON array over the budget → valid JSON with the first items, and how many were kept and dropped', () => {
    const items = Array.from({ length: 1_000 }, (_, id) => ({ id, name: `pet ${id}` }));
    const r = toToolResult(tool(), res(200, 'application/json', JSON.stringify(items)), { validator, budget: 4_096 });
    const kept = JSON.parse(text(r)) as Array<{ id: number }>;
    expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(4_096);
    expect(kept.map((p) => p.id)).toEqual(items.slice(0, kept.length).map((p) => p.id));
    expect(text(r, 1)).toBe(`[truncated to fit 4096 bytes (MCP_MAX_RESPONSE_BYTES): $: kept ${kept.length} of 1000 items (${1000 - kept.length} dropped). Ask for a smaller page or a narrower query for the rest.]`);
  });

  it('structured answers over the budget keep validating, and carry the cut under _truncated', () => {
    const items = Array.from({ length: 1_000 }, (_, id) => ({ id, name: `pet ${id}` }));
    const r = toToolResult(tool({ outputSchema: listSchema }, 'items'), res(200, 'application/json', JSON.stringify(items)), { validator, budget: 4_096 });
    expect(r.isError).toBeUndefined();
    const structured = r.structuredContent as { items: unknown[]; _truncated: { cuts: Array<{ at: string; kept: number; dropped: number }> } };
    expect(structured._truncated.cuts).toEqual([{ at: '$.items', kept: structured.items.length, dropped: 1_000 - structured.items.length }]);
    expect(structured.items.length).toBeGreaterThan(10);
    // The marker is in the JSON the model reads; nothing else is sent.
    expect(r.content).toHaveLength(1);
    expect(Buffer.byteLength(text(r))).toBeLessThanOrEqual(4_096);
    // A closed schema gets no extra key: the note is in the text only.
    const closed = { ...listSchema, additionalProperties: false };
    const strict = toToolResult(tool({ outputSchema: closed }, 'items'), res(200, 'application/json', JSON.stringify(items)), { validator, budget: 4_096 });
    expect(Object.keys(strict.structuredContent!)).toEqual(['items']);
    expect(text(strict, 1)).toMatch(/^\[truncated to fit 4096 bytes/);
  });

  it('an answer no list shortening fits → its first bytes as text, or, with an output schema, an error with its beginning', () => {
    const body = JSON.stringify({ blob: 'z'.repeat(10_000) });
    const plain = toToolResult(tool(), res(200, 'application/json', body), { validator, budget: 1_000 });
    expect(plain.isError).toBeUndefined();
    expect(text(plain)).toBe(body.slice(0, 1_000));
    expect(text(plain, 1)).toMatch(/^\[truncated: the answer has 10011 bytes; the first 1000 are shown/);
    const structured = toToolResult(tool({ outputSchema: { type: 'object' } }), res(200, 'application/json', body), { validator, budget: 1_000 });
    expect(structured.isError).toBe(true);
    expect(text(structured)).toMatch(/does not fit MCP_MAX_RESPONSE_BYTES \(1000\) even with its lists shortened/);
  });

  it('a pretty-printed answer over the budget that fits compacted is sent compacted, with no note', () => {
    const body = JSON.stringify({ items: [1, 2, 3] }, null, 40);
    const r = toToolResult(tool(), res(200, 'application/json', body), { validator, budget: 100 });
    expect(r.content).toEqual([{ type: 'text', text: '{"items":[1,2,3]}' }]);
  });

  it('the whole result stays within the budget however many lists are cut', () => {
    const list = (n: number) => Array.from({ length: n }, (_, id) => ({ id, name: `thing ${id}` }));
    const body = JSON.stringify({ a: list(300), b: list(300), c: list(300) });
    const schema = { type: 'object', properties: { a: {}, b: {}, c: {} } };
    const r = toToolResult(tool({ outputSchema: schema }), res(200, 'application/json', body), { validator, budget: 2_000 });
    const all = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
    expect(Buffer.byteLength(all)).toBeLessThanOrEqual(2_000);
    expect((r.structuredContent as { _truncated: { cuts: unknown[] } })._truncated.cuts).toHaveLength(3);
  });

  it('2xx text/plain JSON with an output schema is still parsed', () => {
    const r = toToolResult(tool({ outputSchema: petSchema }), res(200, 'text/plain', '{"id":2}'), { validator });
    expect(r.structuredContent).toEqual({ id: 2 });
    const html = toToolResult(tool({ outputSchema: petSchema }), res(200, 'text/html', '<html>'), { validator });
    expect(html.isError).toBe(true);
  });
});
