/**
 * fetchShape judges a built request as the platform's `new Request(…)` does: the same refusals
 * with the same messages, and the same URL and headers when it takes one.
 */
import { describe, expect, it } from 'vitest';
import { fetchShape } from '../../src/emit/fetch-request.js';
import type { BuiltRequest } from '../../src/runtime/upstream/request.js';

const request = (over: Partial<BuiltRequest>): BuiltRequest => ({ method: 'GET', url: 'http://127.0.0.1:9/a', headers: {}, cookies: [], ...over });

const CASES: Array<[string, BuiltRequest]> = [
  ['plain GET', request({})],
  ['body on GET', request({ body: 'x' })],
  ['body on HEAD', request({ method: 'HEAD', body: new URLSearchParams({ a: '1' }) })],
  ['TRACE', request({ method: 'TRACE' })],
  ['PATCH with a body', request({ method: 'PATCH', body: '{}', headers: { 'content-type': 'application/json' } })],
  ['credentials in the URL', request({ url: 'http://u:p@127.0.0.1:9/a' })],
  ['no URL at all', request({ url: 'not a url' })],
  ['spaces and unicode in path and query', request({ url: 'http://127.0.0.1:9/a b/é?q=1 2&r=ü#frag' })],
  ['header values trimmed', request({ headers: { 'x-a': '  padded \t', 'x-b': '\n\tlead' } })],
  ['newline inside a header value', request({ headers: { 'x-a': 'one\ntwo' } })],
  ['NUL inside a header value', request({ headers: { 'x-a': 'one\0two' } })],
  ['control characters other than CR, LF, NUL pass', request({ headers: { 'x-a': 'a\u0001b\u007f' } })],
  ['Latin-1 value', request({ headers: { 'x-a': 'café' } })],
  ['value beyond Latin-1', request({ headers: { 'x-a': 'ok', 'x-b': 'snow☃' } })],
  ['name beyond Latin-1 after a bad name', request({ headers: { 'bad name': 'v', 'ñ☃': 'v' } })],
  ['a header beyond Latin-1 is refused before a URL that does not parse', request({ url: 'nope', headers: { 'x-a': '☃' } })],
  ['space in a header name', request({ headers: { 'x a': 'v' } })],
  ['empty header name', request({ headers: { '': 'v' } })],
  ['header order', request({ method: 'POST', body: 'b', headers: { 'x-z': '1', 'content-type': 'text/plain', 'x-a': '2', cookie: 'a=1' } })],
];

describe('fetchShape', () => {
  it.each(CASES)('%s: as new Request() takes it', (_, built) => {
    let expected: { url: string; headers: Record<string, string> } | { reason: string };
    try {
      const r = new Request(built.url, { method: built.method, headers: built.headers, ...(built.body === undefined ? {} : { body: built.body }) });
      const headers = Object.fromEntries([...r.headers].filter(([name]) => !(built.body instanceof URLSearchParams && name === 'content-type' && !('content-type' in built.headers))));
      expected = { url: r.url, headers: Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1))) };
    } catch (err) {
      expected = { reason: (err as Error).message };
    }
    const shape = fetchShape(built);
    expect('reason' in shape ? shape : { url: shape.url.href, headers: shape.headers }).toEqual(expected);
  });
});
