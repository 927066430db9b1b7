/**
 * Turns a tool call's arguments into an HTTP request, following OpenAPI 3 parameter
 * serialisation (RFC 6570 based styles). Pure: no I/O, no environment, so it is easy to test
 * against the specification's style tables.
 *
 * Conventions worth knowing:
 * - `undefined` and `null` arguments are omitted (a `null` cannot be expressed in a URL
 *   without inventing a convention the upstream would not understand). Required path
 *   parameters are the exception: they raise a RequestBuildError.
 * - Empty arrays and objects are omitted, as RFC 6570 treats them as undefined.
 * - Array items and object values that are themselves objects/arrays are JSON-encoded,
 *   since OpenAPI styles do not define nested serialisation (deepObject recurses instead).
 * - Query and path values are percent-encoded per RFC 3986 (space = %20, and also
 *   `!'()*`); form-urlencoded bodies use URLSearchParams, where space = `+` is correct.
 */
import type { BodyBinding, HttpBinding, HttpMethod, ParameterBinding } from '../definition.js';
import { isPlainObject } from '../values.js';

export type RequestBody = string | FormData | URLSearchParams;

export interface BuiltRequest {
  method: HttpMethod;
  url: string;
  /** Lower-case header names. `cookie` is present when `cookies` is non-empty. */
  headers: Record<string, string>;
  body?: RequestBody;
  /** Encoded `name=value` pairs; kept separately so auth can add more before sending. */
  cookies: string[];
}

export interface BuildRequestInput {
  binding: HttpBinding;
  args: Record<string, unknown>;
  baseUrl: string;
}

/** A problem with the caller's arguments; reported to the model as a tool error. */
export class RequestBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestBuildError';
  }
}

/**
 * Header parameters OpenAPI says to ignore: they are controlled by the body, the content
 * negotiation and the auth layers respectively.
 */
const IGNORED_HEADER_PARAMS = new Set(['accept', 'content-type', 'authorization']);

const DEFAULT_ACCEPT = 'application/json, */*;q=0.5';

export function buildRequest({ binding, args, baseUrl }: BuildRequestInput): BuiltRequest {
  const path = buildPath(binding, args);
  const queryParts: string[] = [];
  const headers: Record<string, string> = { accept: DEFAULT_ACCEPT };
  const cookies: string[] = [];

  for (const param of binding.parameters) {
    if (param.in === 'path') continue;
    const value = args[param.arg];
    if (value === undefined || value === null) continue;
    switch (param.in) {
      case 'query':
        queryParts.push(...serializeQuery(param, value));
        break;
      case 'header': {
        const name = param.name.toLowerCase();
        if (IGNORED_HEADER_PARAMS.has(name)) break;
        const text = serializeHeader(param, value);
        if (text !== undefined) headers[name] = text;
        break;
      }
      case 'cookie':
        cookies.push(...serializeCookie(param, value));
        break;
    }
  }

  const request: BuiltRequest = {
    method: binding.method,
    url: joinUrl(baseUrl, path, queryParts),
    headers,
    cookies,
  };
  setCookieHeader(request);

  if (binding.body) {
    const body = buildBody(binding.body, args);
    if (body) {
      request.body = body.body;
      if (body.contentType) request.headers['content-type'] = body.contentType;
    }
  }
  return request;
}

/** Rewrites `headers.cookie` from `cookies`; call again after adding cookies. */
export function setCookieHeader(request: BuiltRequest): void {
  if (request.cookies.length > 0) request.headers['cookie'] = request.cookies.join('; ');
  else delete request.headers['cookie'];
}

/**
 * Joins the base URL (which may carry a path, a trailing slash, or even a query string) with
 * a binding path that always starts with `/`, and appends already-encoded query parts.
 */
export function joinUrl(baseUrl: string, path: string, queryParts: readonly string[] = []): string {
  const hashAt = baseUrl.indexOf('#');
  const withoutHash = hashAt >= 0 ? baseUrl.slice(0, hashAt) : baseUrl;
  const queryAt = withoutHash.indexOf('?');
  const basePath = (queryAt >= 0 ? withoutHash.slice(0, queryAt) : withoutHash).replace(/\/+$/, '');
  const baseQuery = queryAt >= 0 ? withoutHash.slice(queryAt + 1) : '';
  const normalisedPath = path.startsWith('/') ? path : `/${path}`;
  const query = [baseQuery, ...queryParts].filter((part) => part.length > 0).join('&');
  return `${basePath}${normalisedPath}${query ? `?${query}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** RFC 3986 unreserved characters only; encodeURIComponent leaves `!'()*` alone. */
export function encodeStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `allowReserved`: reserved characters pass through, except those that would change the
 * query's structure (`#` ends it, `&`/`=` split it, `+` reads as a space to form decoders).
 */
function encodeAllowReserved(text: string): string {
  return encodeStrict(text).replace(/%(3A|2F|3F|5B|5D|40|21|24|27|28|29|2A|2C|3B)/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

type Encoder = (text: string) => string;

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

type Shape =
  | { kind: 'primitive'; text: string }
  | { kind: 'array'; items: string[] }
  | { kind: 'object'; entries: Array<[string, string]> };

function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) {
    return { kind: 'array', items: value.filter((v) => v !== undefined).map(scalarText) };
  }
  if (isPlainObject(value)) {
    const entries: Array<[string, string]> = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) entries.push([key, scalarText(item)]);
    }
    return { kind: 'object', entries };
  }
  return { kind: 'primitive', text: scalarText(value) };
}

function isEmptyShape(shape: Shape): boolean {
  return (
    (shape.kind === 'array' && shape.items.length === 0) ||
    (shape.kind === 'object' && shape.entries.length === 0)
  );
}

function flatten(entries: Array<[string, string]>, enc: Encoder): string[] {
  return entries.flatMap(([k, v]) => [enc(k), enc(v)]);
}

// ---------------------------------------------------------------------------------------------
// Path

function buildPath(binding: HttpBinding, args: Record<string, unknown>): string {
  const byName = new Map<string, ParameterBinding>();
  for (const param of binding.parameters) if (param.in === 'path') byName.set(param.name, param);

  const segments = binding.path.split('/').map((segment) => {
    const used: string[] = [];
    const replaced = segment.replace(/\{([^{}]+)\}/g, (_match, name: string) => {
      const param = byName.get(name);
      if (!param) {
        throw new RequestBuildError(`path template "${binding.path}" has no binding for {${name}}`);
      }
      used.push(param.arg);
      const value = args[param.arg];
      if (value === undefined || value === null) {
        throw new RequestBuildError(`missing required argument "${param.arg}" (path parameter)`);
      }
      return serializePath(param, value);
    });
    if (used.length > 0) assertSafeSegment(replaced, used);
    return replaced;
  });
  return segments.join('/');
}

/**
 * Percent-encoding alone cannot stop traversal: the WHATWG URL parser (fetch and undici alike) treats
 * `%2E%2E` exactly like `..` and removes the preceding segment. So a value that would form a
 * dot segment (or an empty one, which silently changes the endpoint) is refused outright.
 */
function assertSafeSegment(segment: string, args: string[]): void {
  const decodedDots = segment.replace(/%2e/gi, '.');
  const names = args.map((a) => `"${a}"`).join(', ');
  if (decodedDots === '.' || decodedDots === '..') {
    throw new RequestBuildError(`path parameter ${names} must not be "." or ".."`);
  }
  if (segment === '') throw new RequestBuildError(`path parameter ${names} must not be empty`);
}

export function serializePath(param: ParameterBinding, value: unknown): string {
  const enc = encodeStrict;
  if (param.json) return prefixPrimitive(param, enc(JSON.stringify(value)));
  const shape = shapeOf(value);
  const explode = param.explode;
  switch (param.style) {
    case 'label': {
      const sep = explode ? '.' : ',';
      if (shape.kind === 'primitive') return `.${enc(shape.text)}`;
      if (shape.kind === 'array') return `.${shape.items.map(enc).join(sep)}`;
      return explode
        ? `.${shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('.')}`
        : `.${flatten(shape.entries, enc).join(',')}`;
    }
    case 'matrix': {
      const name = enc(param.name);
      if (shape.kind === 'primitive') return shape.text === '' ? `;${name}` : `;${name}=${enc(shape.text)}`;
      if (isEmptyShape(shape)) return `;${name}`;
      if (shape.kind === 'array') {
        return explode
          ? shape.items.map((item) => `;${name}=${enc(item)}`).join('')
          : `;${name}=${shape.items.map(enc).join(',')}`;
      }
      return explode
        ? shape.entries.map(([k, v]) => `;${enc(k)}=${enc(v)}`).join('')
        : `;${name}=${flatten(shape.entries, enc).join(',')}`;
    }
    default: {
      // simple, and the fallback for styles that are not valid in a path.
      if (shape.kind === 'primitive') return enc(shape.text);
      if (shape.kind === 'array') return shape.items.map(enc).join(',');
      return explode
        ? shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join(',')
        : flatten(shape.entries, enc).join(',');
    }
  }
}

function prefixPrimitive(param: ParameterBinding, encoded: string): string {
  if (param.style === 'label') return `.${encoded}`;
  if (param.style === 'matrix') return `;${encodeStrict(param.name)}=${encoded}`;
  return encoded;
}

// ---------------------------------------------------------------------------------------------
// Query

/** Returns encoded `key=value` parts in order; joined with `&` by the caller. */
export function serializeQuery(param: ParameterBinding, value: unknown): string[] {
  const enc = param.allowReserved ? encodeAllowReserved : encodeStrict;
  const name = encodeStrict(param.name);
  if (param.json) return [`${name}=${enc(JSON.stringify(value))}`];

  if (param.style === 'deepObject' && isPlainObject(value)) {
    return deepObjectParts(param.name, value, enc);
  }

  const shape = shapeOf(value);
  if (isEmptyShape(shape)) return [];
  if (shape.kind === 'primitive') return [`${name}=${enc(shape.text)}`];

  const delimiter =
    param.style === 'spaceDelimited' ? '%20' : param.style === 'pipeDelimited' ? '%7C' : ',';
  if (param.explode) {
    // Exploded space/pipe-delimited values serialise exactly like exploded form.
    return shape.kind === 'array'
      ? shape.items.map((item) => `${name}=${enc(item)}`)
      : shape.entries.map(([k, v]) => `${encodeStrict(k)}=${enc(v)}`);
  }
  const joined =
    shape.kind === 'array' ? shape.items.map(enc).join(delimiter) : flatten(shape.entries, enc).join(delimiter);
  return [`${name}=${joined}`];
}

function deepObjectParts(prefix: string, value: Record<string, unknown>, enc: Encoder): string[] {
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    const path = `${prefix}[${key}]`;
    if (isPlainObject(item)) parts.push(...deepObjectParts(path, item, enc));
    else if (Array.isArray(item)) {
      for (const element of item) parts.push(`${encodeStrict(path)}=${enc(scalarText(element))}`);
    } else parts.push(`${encodeStrict(path)}=${enc(scalarText(item))}`);
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Header and cookie

export function serializeHeader(param: ParameterBinding, value: unknown): string | undefined {
  let text: string;
  if (param.json) text = JSON.stringify(value);
  else {
    const shape = shapeOf(value);
    if (isEmptyShape(shape)) return undefined;
    if (shape.kind === 'primitive') text = shape.text;
    else if (shape.kind === 'array') text = shape.items.join(',');
    else {
      text = param.explode
        ? shape.entries.map(([k, v]) => `${k}=${v}`).join(',')
        : shape.entries.flat().join(',');
    }
  }
  // CR/LF would let an argument inject extra headers or split the request.
  if (/[\r\n\0]/.test(text)) {
    throw new RequestBuildError(
      `argument "${param.arg}" (header ${param.name}) must not contain CR, LF or NUL characters`,
    );
  }
  return text;
}

/** Returns encoded `name=value` cookie pairs (style form). */
export function serializeCookie(param: ParameterBinding, value: unknown): string[] {
  const enc = encodeStrict;
  const name = enc(param.name);
  if (param.json) return [`${name}=${enc(JSON.stringify(value))}`];
  const shape = shapeOf(value);
  if (isEmptyShape(shape)) return [];
  if (shape.kind === 'primitive') return [`${name}=${enc(shape.text)}`];
  if (param.explode) {
    return shape.kind === 'array'
      ? shape.items.map((item) => `${name}=${enc(item)}`)
      : shape.entries.map(([k, v]) => `${enc(k)}=${enc(v)}`);
  }
  const joined =
    shape.kind === 'array' ? shape.items.map(enc).join(',') : flatten(shape.entries, enc).join(',');
  return [`${name}=${joined}`];
}

// ---------------------------------------------------------------------------------------------
// Body

export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  const media = mediaType(type);
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

interface EncodedBody {
  body: RequestBody;
  /** Undefined for multipart: the HTTP client sets it itself, with the boundary. */
  contentType?: string;
}

function buildBody(binding: BodyBinding, args: Record<string, unknown>): EncodedBody | undefined {
  let value: unknown;
  if (binding.mode === 'value') {
    value = binding.arg === undefined ? undefined : args[binding.arg];
  } else {
    const object: Record<string, unknown> = {};
    let present = false;
    for (const [arg, field] of Object.entries(binding.fields ?? {})) {
      if (args[arg] === undefined) continue;
      // An own field even when the API names it `__proto__` (plain assignment would set the prototype).
      Object.defineProperty(object, field, { value: args[arg], enumerable: true, writable: true, configurable: true });
      present = true;
    }
    // An optional body with no fields set is left off rather than sent as `{}`.
    value = present || binding.required ? object : undefined;
  }
  if (value === undefined) {
    if (binding.required) {
      throw new RequestBuildError(`missing required argument "${binding.arg ?? 'body'}" (request body)`);
    }
    return undefined;
  }
  return encodeBody(binding, value);
}

export function encodeBody(binding: BodyBinding, value: unknown): EncodedBody {
  const declared = binding.contentType;
  const media = mediaType(declared);

  if (isJsonMediaType(media)) return { body: JSON.stringify(value), contentType: declared };

  if (media === 'application/x-www-form-urlencoded') {
    if (!isPlainObject(value)) return { body: scalarText(value), contentType: declared };
    const params = new URLSearchParams();
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue;
      if (Array.isArray(item)) for (const element of item) params.append(key, scalarText(element));
      else params.append(key, scalarText(item));
    }
    return { body: params, contentType: declared };
  }

  if (media === 'multipart/form-data') {
    if (!isPlainObject(value)) {
      throw new RequestBuildError('multipart/form-data request body must be an object');
    }
    const binary = new Set(binding.binaryFields ?? []);
    const form = new FormData();
    const append = (key: string, item: unknown): void => {
      if (binary.has(key)) {
        // No file system access is possible from a tool call, so a binary part's content is
        // the string given (UTF-8); the field name doubles as the file name.
        form.append(key, new Blob([scalarText(item)], { type: 'application/octet-stream' }), key);
      } else form.append(key, scalarText(item));
    };
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue;
      if (Array.isArray(item)) for (const element of item) append(key, element);
      else append(key, item);
    }
    return { body: form };
  }

  if (media.startsWith('text/')) return { body: scalarText(value), contentType: declared };

  // Unknown or wildcard types: send strings verbatim, everything else as JSON.
  const wildcard = media.includes('*') || media === '';
  if (typeof value === 'string') {
    return { body: value, contentType: wildcard ? 'text/plain' : declared };
  }
  return { body: JSON.stringify(value), contentType: wildcard ? 'application/json' : declared };
}
