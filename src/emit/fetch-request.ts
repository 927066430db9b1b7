/**
 * A built request as the platform's `new Request(…)` takes it, without constructing one: what
 * it refuses, with its own messages, and the URL and headers it would hold. Node loads its fetch
 * (undici) on the first `Request`, about 50 ms, a tenth of a median generation, and contract cases
 * only need its judgement. Multipart bodies are FormData, which is fetch's own, so they are read
 * through it (contract-cases.ts); every other body is a string or URLSearchParams.
 * test/unit/fetch-request.test.ts holds this to `Request` on the cases it covers.
 */
import type { BuiltRequest } from '../runtime/upstream/request.js';

/** RFC 9110 token: a header name, a method. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Fetch trims these from header values ("HTTP whitespace")… */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** …and then refuses a value that still holds one of these. */
const BAD_VALUE_CHAR = /[\0\r\n]/;
const UNSUPPORTED_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

export interface FetchShape {
  url: URL;
  /** Lower-case names, sorted; values trimmed as fetch trims them. */
  headers: Record<string, string>;
}

/** The request as `Request` would hold it, or its refusal, checked in the constructor's order. */
export function fetchShape(built: BuiltRequest): FetchShape | { reason: string } {
  // The init dictionary is converted first: every header name and value to a ByteString.
  for (const [name, raw] of Object.entries(built.headers)) {
    const wide = byteStringProblem(name) ?? byteStringProblem(raw);
    if (wide) return { reason: wide };
  }
  let url: URL;
  try {
    url = new URL(built.url);
  } catch {
    return { reason: `Failed to parse URL from ${built.url}` };
  }
  if (url.username || url.password) return { reason: `Request cannot be constructed from a URL that includes credentials: ${built.url}` };
  if (!TOKEN.test(built.method)) return { reason: `'${built.method}' is not a valid HTTP method.` };
  if (UNSUPPORTED_METHODS.has(built.method.toUpperCase())) return { reason: `'${built.method}' HTTP method is unsupported.` };
  const headers = new Map<string, string>();
  for (const [name, raw] of Object.entries(built.headers)) {
    const value = raw.replace(EDGE_WHITESPACE, '');
    if (!TOKEN.test(name)) return { reason: `Headers.append: "${name}" is an invalid header name.` };
    if (BAD_VALUE_CHAR.test(value)) return { reason: `Headers.append: "${value}" is an invalid header value.` };
    const key = name.toLowerCase();
    const before = headers.get(key);
    headers.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  if (built.body !== undefined && (built.method === 'GET' || built.method === 'HEAD')) return { reason: 'Request with GET/HEAD method cannot have body.' };
  return { url, headers: Object.fromEntries([...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/** WebIDL's ByteString conversion, which header names and values go through first. */
function byteStringProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) return `Cannot convert argument to a ByteString because the character at index ${i} has a value of ${code} which is greater than 255.`;
  }
  return undefined;
}
