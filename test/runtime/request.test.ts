import { describe, expect, it } from 'vitest';
import type { BodyBinding, HttpBinding, ParameterBinding, ParameterLocation, ParameterStyle } from '../../src/runtime/definition.js';
import {
  buildRequest,
  joinUrl,
  RequestBuildError,
  serializeCookie,
  serializeHeader,
  serializePath,
  serializeQuery,
} from '../../src/runtime/upstream/request.js';

const STRING = 'blue';
const ARRAY = ['blue', 'black', 'brown'];
const OBJECT = { R: 100, G: 200, B: 150 };

function param(inn: ParameterLocation, style: ParameterStyle, explode: boolean, extra: Partial<ParameterBinding> = {}): ParameterBinding {
  return { arg: 'color', name: 'color', in: inn, style, explode, ...extra };
}

function binding(overrides: Partial<HttpBinding> = {}): HttpBinding {
  return { kind: 'http', method: 'GET', path: '/pets', parameters: [], security: [], ...overrides };
}

// OpenAPI 3.1 "Style Examples". Query delimiters and brackets are shown percent-encoded
// (RFC 3986 does not allow raw `|`, `[`, `]` in a query), as in OAS 3.1.1's revised table.
type Row = [ParameterStyle, boolean, unknown, string];

describe('path parameters (OpenAPI style examples)', () => {
  const rows: Row[] = [
    ['simple', false, STRING, 'blue'],
    ['simple', false, ARRAY, 'blue,black,brown'],
    ['simple', false, OBJECT, 'R,100,G,200,B,150'],
    ['simple', true, STRING, 'blue'],
    ['simple', true, ARRAY, 'blue,black,brown'],
    ['simple', true, OBJECT, 'R=100,G=200,B=150'],
    ['label', false, STRING, '.blue'],
    ['label', false, ARRAY, '.blue,black,brown'],
    ['label', false, OBJECT, '.R,100,G,200,B,150'],
    ['label', true, STRING, '.blue'],
    ['label', true, ARRAY, '.blue.black.brown'],
    ['label', true, OBJECT, '.R=100.G=200.B=150'],
    ['matrix', false, STRING, ';color=blue'],
    ['matrix', false, ARRAY, ';color=blue,black,brown'],
    ['matrix', false, OBJECT, ';color=R,100,G,200,B,150'],
    ['matrix', true, STRING, ';color=blue'],
    ['matrix', true, ARRAY, ';color=blue;color=black;color=brown'],
    ['matrix', true, OBJECT, ';R=100;G=200;B=150'],
  ];
  it.each(rows)('%s explode=%s %j → %s', (style, explode, value, expected) => {
    expect(serializePath(param('path', style, explode), value)).toBe(expected);
    const req = buildRequest({
      binding: binding({ path: '/colors/{color}', parameters: [param('path', style, explode)] }),
      args: { color: value },
      baseUrl: 'http://h',
    });
    expect(req.url).toBe(`http://h/colors/${expected}`);
  });

  it('matrix with empty string is ;color, label is refused as a dot segment', () => {
    expect(serializePath(param('path', 'matrix', false), '')).toBe(';color');
    expect(() =>
      buildRequest({ binding: binding({ path: '/c/{color}', parameters: [param('path', 'label', false)] }), args: { color: '' }, baseUrl: 'http://h' }),
    ).toThrow(RequestBuildError);
  });

  const traversal = binding({ path: '/files/{name}/meta', parameters: [{ arg: 'name', name: 'name', in: 'path', style: 'simple', explode: false }] });
  it.each([
    ['../etc', 'http://h/files/..%2Fetc/meta'],
    ['a/b', 'http://h/files/a%2Fb/meta'],
    ['a?b#c', 'http://h/files/a%3Fb%23c/meta'],
    ['50% off', 'http://h/files/50%25%20off/meta'],
    ["it's(*)!", 'http://h/files/it%27s%28%2A%29%21/meta'],
  ])('encodes %j so it stays in one segment', (value, expected) => {
    const url = buildRequest({ binding: traversal, args: { name: value }, baseUrl: 'http://h' }).url;
    expect(url).toBe(expected);
    // fetch parses with WHATWG URL: the path must survive normalisation unchanged.
    expect(new URL(url).pathname).toBe(new URL(expected).pathname);
    expect(new URL(url).pathname.startsWith('/files/')).toBe(true);
  });

  // Encoding as %2E%2E would not help: WHATWG URL (used by fetch) treats it exactly like `..`.
  it.each(['..', '.'])('refuses the dot segment %j', (value) => {
    expect(new URL('http://h/files/%2E%2E/meta').pathname).toBe('/meta');
    const build = () => buildRequest({ binding: traversal, args: { name: value }, baseUrl: 'http://h' });
    expect(build).toThrow(/must not be "\." or "\.\."/);
  });

  it('a literal "%2e%2e" value is double-encoded and cannot traverse', () => {
    const url = buildRequest({ binding: traversal, args: { name: '%2e%2e' }, baseUrl: 'http://h' }).url;
    expect(url).toBe('http://h/files/%252e%252e/meta');
    expect(new URL(url).pathname).toBe('/files/%252e%252e/meta');
  });

  it('refuses an empty simple value and a missing value', () => {
    expect(() => buildRequest({ binding: traversal, args: { name: '' }, baseUrl: 'http://h' })).toThrow(/must not be empty/);
    expect(() => buildRequest({ binding: traversal, args: {}, baseUrl: 'http://h' })).toThrow(/missing required argument "name"/);
  });

  it('serialises json path params and numbers', () => {
    const b = binding({ path: '/p/{id}', parameters: [{ arg: 'id', name: 'id', in: 'path', style: 'simple', explode: false }] });
    expect(buildRequest({ binding: b, args: { id: 42 }, baseUrl: 'http://h' }).url).toBe('http://h/p/42');
  });
});

describe('query parameters (OpenAPI style examples)', () => {
  const rows: Row[] = [
    ['form', false, '', 'color='],
    ['form', false, STRING, 'color=blue'],
    ['form', false, ARRAY, 'color=blue,black,brown'],
    ['form', false, OBJECT, 'color=R,100,G,200,B,150'],
    ['form', true, '', 'color='],
    ['form', true, STRING, 'color=blue'],
    ['form', true, ARRAY, 'color=blue&color=black&color=brown'],
    ['form', true, OBJECT, 'R=100&G=200&B=150'],
    ['spaceDelimited', false, ARRAY, 'color=blue%20black%20brown'],
    ['spaceDelimited', false, OBJECT, 'color=R%20100%20G%20200%20B%20150'],
    ['spaceDelimited', true, ARRAY, 'color=blue&color=black&color=brown'],
    ['pipeDelimited', false, ARRAY, 'color=blue%7Cblack%7Cbrown'],
    ['pipeDelimited', false, OBJECT, 'color=R%7C100%7CG%7C200%7CB%7C150'],
    ['pipeDelimited', true, ARRAY, 'color=blue&color=black&color=brown'],
    ['deepObject', true, OBJECT, 'color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150'],
  ];
  it.each(rows)('%s explode=%s %j → %s', (style, explode, value, expected) => {
    expect(serializeQuery(param('query', style, explode), value).join('&')).toBe(expected);
    const req = buildRequest({ binding: binding({ parameters: [param('query', style, explode)] }), args: { color: value }, baseUrl: 'http://h' });
    expect(req.url).toBe(`http://h/pets?${expected}`);
  });

  it('encodes per RFC 3986 (space = %20) and keeps binding order', () => {
    const b = binding({
      parameters: [
        { arg: 'q', name: 'q', in: 'query', style: 'form', explode: true },
        { arg: 'limit', name: 'limit', in: 'query', style: 'form', explode: true },
        { arg: 'skip', name: 'skip', in: 'query', style: 'form', explode: true },
      ],
    });
    const req = buildRequest({ binding: b, args: { limit: 10, q: 'a b&c=d+e/é', skip: undefined }, baseUrl: 'http://h' });
    expect(req.url).toBe('http://h/pets?q=a%20b%26c%3Dd%2Be%2F%C3%A9&limit=10');
  });

  it('omits undefined, null and empty arrays', () => {
    const b = binding({ parameters: [param('query', 'form', true), { arg: 'n', name: 'n', in: 'query', style: 'form', explode: false }] });
    expect(buildRequest({ binding: b, args: { color: null, n: [] }, baseUrl: 'http://h' }).url).toBe('http://h/pets');
  });

  it('allowReserved leaves reserved characters but never query delimiters', () => {
    const p = param('query', 'form', true, { allowReserved: true });
    expect(serializeQuery(p, 'a/b:c?d,e[f]@g & h=i#j+k')).toEqual(['color=a/b:c?d,e[f]@g%20%26%20h%3Di%23j%2Bk']);
    expect(serializeQuery(param('query', 'form', true), 'a/b')).toEqual(['color=a%2Fb']);
  });

  it('json params are JSON-encoded', () => {
    expect(serializeQuery(param('query', 'form', true, { json: true }), { a: [1, 'x y'] })).toEqual([
      'color=%7B%22a%22%3A%5B1%2C%22x%20y%22%5D%7D',
    ]);
  });

  it('deepObject recurses into nested objects and repeats arrays', () => {
    expect(serializeQuery(param('query', 'deepObject', true), { a: { b: 1 }, c: [1, 2] }).join('&')).toBe(
      'color%5Ba%5D%5Bb%5D=1&color%5Bc%5D=1&color%5Bc%5D=2',
    );
  });

  it('booleans and numbers', () => {
    expect(serializeQuery(param('query', 'form', true), true)).toEqual(['color=true']);
    expect(serializeQuery(param('query', 'form', false), [1, 2.5])).toEqual(['color=1,2.5']);
  });
});

describe('header parameters', () => {
  it.each([
    [false, STRING, 'blue'],
    [false, ARRAY, 'blue,black,brown'],
    [false, OBJECT, 'R,100,G,200,B,150'],
    [true, ARRAY, 'blue,black,brown'],
    [true, OBJECT, 'R=100,G=200,B=150'],
  ] as Array<[boolean, unknown, string]>)('simple explode=%s %j → %s', (explode, value, expected) => {
    expect(serializeHeader(param('header', 'simple', explode), value)).toBe(expected);
    const req = buildRequest({
      binding: binding({ parameters: [{ arg: 'color', name: 'X-Color', in: 'header', style: 'simple', explode }] }),
      args: { color: value },
      baseUrl: 'http://h',
    });
    expect(req.headers['x-color']).toBe(expected);
  });

  it.each(['a\r\nX-Evil: 1', 'a\nb', 'a\rb'])('rejects CR/LF in %j naming the argument', (value) => {
    const b = binding({ parameters: [{ arg: 'trace', name: 'X-Trace', in: 'header', style: 'simple', explode: false }] });
    expect(() => buildRequest({ binding: b, args: { trace: value }, baseUrl: 'http://h' })).toThrow(/argument "trace".*CR, LF/);
  });

  it('ignores Accept/Content-Type/Authorization header params (OpenAPI says so)', () => {
    const b = binding({ parameters: [{ arg: 'a', name: 'Authorization', in: 'header', style: 'simple', explode: false }] });
    expect(buildRequest({ binding: b, args: { a: 'x' }, baseUrl: 'http://h' }).headers['authorization']).toBeUndefined();
  });
});

describe('cookie parameters', () => {
  it.each([
    [false, STRING, ['color=blue']],
    [false, ARRAY, ['color=blue,black,brown']],
    [false, OBJECT, ['color=R,100,G,200,B,150']],
    [true, ARRAY, ['color=blue', 'color=black', 'color=brown']],
    [true, OBJECT, ['R=100', 'G=200', 'B=150']],
  ] as Array<[boolean, unknown, string[]]>)('form explode=%s %j', (explode, value, expected) => {
    expect(serializeCookie(param('cookie', 'form', explode), value)).toEqual(expected);
  });

  it('joins all cookies into one header and encodes values', () => {
    const b = binding({
      parameters: [
        { arg: 'a', name: 'a', in: 'cookie', style: 'form', explode: true },
        { arg: 'b', name: 'b', in: 'cookie', style: 'form', explode: true },
      ],
    });
    const req = buildRequest({ binding: b, args: { a: 1, b: 'x; y' }, baseUrl: 'http://h' });
    expect(req.headers['cookie']).toBe('a=1; b=x%3B%20y');
    expect(req.cookies).toEqual(['a=1', 'b=x%3B%20y']);
  });
});

describe('base URL joining', () => {
  it.each([
    ['http://h/api/v1', 'http://h/api/v1/pets/1'],
    ['http://h/api/v1/', 'http://h/api/v1/pets/1'],
    ['http://h/api/v1//', 'http://h/api/v1/pets/1'],
    ['http://h', 'http://h/pets/1'],
    ['http://h/', 'http://h/pets/1'],
    ['http://h:8080/base?key=1', 'http://h:8080/base/pets/1?key=1'],
  ])('%s', (base, expected) => {
    expect(joinUrl(base, '/pets/1')).toBe(expected);
  });

  it('merges a base query with parameter query', () => {
    expect(joinUrl('http://h/x?v=2', '/p', ['a=1'])).toBe('http://h/x/p?v=2&a=1');
  });
});

describe('bodies', () => {
  const post = (body: BodyBinding) => binding({ method: 'POST', body });

  it('json value body', () => {
    const req = buildRequest({ binding: post({ contentType: 'application/json', mode: 'value', arg: 'body', required: true }), args: { body: { name: 'Rex', tags: ['a'] } }, baseUrl: 'http://h' });
    expect(req.body).toBe('{"name":"Rex","tags":["a"]}');
    expect(req.headers['content-type']).toBe('application/json');
  });

  it('+json body and primitive value', () => {
    const req = buildRequest({ binding: post({ contentType: 'application/merge-patch+json', mode: 'value', arg: 'body', required: true }), args: { body: 'x' }, baseUrl: 'http://h' });
    expect(req.body).toBe('"x"');
    expect(req.headers['content-type']).toBe('application/merge-patch+json');
  });

  it('properties mode maps arg names to wire names and omits undefined', () => {
    const req = buildRequest({
      binding: post({ contentType: 'application/json', mode: 'properties', fields: { petName: 'name', petAge: 'age', tag: 'tag' }, required: true }),
      args: { petName: 'Rex', petAge: 3, tag: undefined, other: 1 },
      baseUrl: 'http://h',
    });
    expect(JSON.parse(req.body as string)).toEqual({ name: 'Rex', age: 3 });
  });

  it('optional properties body with nothing set is left off; required sends {}', () => {
    const optional = buildRequest({ binding: post({ contentType: 'application/json', mode: 'properties', fields: { a: 'a' }, required: false }), args: {}, baseUrl: 'http://h' });
    expect(optional.body).toBeUndefined();
    expect(optional.headers['content-type']).toBeUndefined();
    const required = buildRequest({ binding: post({ contentType: 'application/json', mode: 'properties', fields: { a: 'a' }, required: true }), args: {}, baseUrl: 'http://h' });
    expect(required.body).toBe('{}');
  });

  it('missing required value body is an error', () => {
    expect(() => buildRequest({ binding: post({ contentType: 'application/json', mode: 'value', arg: 'body', required: true }), args: {}, baseUrl: 'http://h' })).toThrow(/missing required argument "body"/);
  });

  it('form-urlencoded: arrays repeat keys, objects are JSON', () => {
    const req = buildRequest({
      binding: post({ contentType: 'application/x-www-form-urlencoded', mode: 'value', arg: 'body', required: true }),
      args: { body: { name: 'a b', tags: ['x', 'y'], meta: { k: 1 }, skip: undefined } },
      baseUrl: 'http://h',
    });
    expect(req.body).toBeInstanceOf(URLSearchParams);
    expect(String(req.body)).toBe('name=a+b&tags=x&tags=y&meta=%7B%22k%22%3A1%7D');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('multipart: strings as fields, objects as JSON, binary fields as file parts, no content-type', async () => {
    const req = buildRequest({
      binding: post({ contentType: 'multipart/form-data', mode: 'properties', fields: { name: 'name', meta: 'meta', file: 'file' }, required: true, binaryFields: ['file'] }),
      args: { name: 'Rex', meta: { a: 1 }, file: 'hello' },
      baseUrl: 'http://h',
    });
    expect(req.body).toBeInstanceOf(FormData);
    const form = req.body as FormData;
    expect(form.get('name')).toBe('Rex');
    expect(form.get('meta')).toBe('{"a":1}');
    const file = form.get('file');
    expect(file).toBeInstanceOf(Blob);
    expect(await (file as Blob).text()).toBe('hello');
    expect(req.headers['content-type']).toBeUndefined();
  });

  it('text/plain uses String(value)', () => {
    const req = buildRequest({ binding: post({ contentType: 'text/plain; charset=utf-8', mode: 'value', arg: 'body', required: true }), args: { body: 42 }, baseUrl: 'http://h' });
    expect(req.body).toBe('42');
    expect(req.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('other types: strings as-is, others as JSON', () => {
    const b = (v: unknown) => buildRequest({ binding: post({ contentType: 'application/xml', mode: 'value', arg: 'body', required: true }), args: { body: v }, baseUrl: 'http://h' });
    expect(b('<a/>').body).toBe('<a/>');
    expect(b({ a: 1 }).body).toBe('{"a":1}');
    expect(b('<a/>').headers['content-type']).toBe('application/xml');
  });

  it('sets a JSON-preferring Accept header', () => {
    expect(buildRequest({ binding: binding(), args: {}, baseUrl: 'http://h' }).headers['accept']).toMatch(/^application\/json/);
  });
});
