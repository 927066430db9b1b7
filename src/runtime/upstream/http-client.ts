/**
 * The one place that talks to the upstream API: an interface plus a plain, single-attempt
 * implementation on undici, the library behind the platform fetch. resilience.ts wraps it with
 * retries, a circuit breaker per origin, fallback base URLs and a bulkhead, without the server
 * noticing.
 *
 * undici's `request` rather than `fetch`: the WHATWG layer (Request/Response objects, web
 * streams, an AbortSignal per request) cost about 240 µs of CPU per call against 86 µs
 * (docs/benchmarks.md, runtime overhead), more than the rest of a tool call together.
 */
import { STATUS_CODES } from 'node:http';
import { pipeline } from 'node:stream';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { describeUrl } from './auth.js';
import { isConditional, TRACE } from './cache.js';
import type { CacheTrace, ResponseCache } from './cache.js';
import type { RequestBody } from './request.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: RequestBody;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The `content-type` header, or '' when absent. */
  contentType: string;
  bytes: Buffer;
  /** True when the body was cut at `maxResponseBytes`. */
  truncated: boolean;
  /** The URL that answered, when a client followed redirects to another (the web tools'). */
  url?: string;
}

export interface SendOptions {
  /** Cancellation from the MCP request and/or the overall per-call deadline. */
  signal?: AbortSignal;
  /** Epoch ms at which the overall per-call deadline expires (retry delays are capped by it). */
  deadlineAt?: number;
  /** The same request against the fallback base URLs, in order of preference. */
  fallbacks?: HttpRequest[];
  /** The tool declares itself idempotent (`annotations.idempotentHint`): retry even a POST. */
  idempotent?: boolean;
  /** This call's own per-attempt timeout (a tool with its own deadline); default: the client's. */
  attemptTimeoutMs?: number;
  /** Filled in by the client: attempts made and retries among them, for the metrics. */
  report?: SendReport;
  /**
   * The single-attempt client for this call instead of the default one: the web tools send
   * through their own guarded client, under the same retries, breaker, bulkhead and deadline.
   */
  transport?: HttpClient;
}

export interface SendReport {
  attempts: number;
  retries: number;
  /** Origin of the base URL that finally answered (or failed last). */
  origin?: string;
}

export interface HttpClient {
  send(request: HttpRequest, options?: SendOptions): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Sent unless the request has its own; some APIs (GitHub's) refuse requests without one. */
  userAgent?: string;
  /** Same-origin redirects followed before giving up; cross-origin ones are never followed. */
  maxRedirects?: number;
  /** MCP_CACHE=memory: GETs go through this RFC 9111 cache. */
  cache?: ResponseCache;
}

/**
 * `unavailable`: the circuit breaker for the origin is open; `overloaded`: the bulkhead's
 * queue is full.
 */
export type UpstreamErrorKind = 'timeout' | 'cancelled' | 'network' | 'unavailable' | 'overloaded';

/** Transport-level failure (no HTTP response); reported to the model as a tool error. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    /** System error code of a network failure, e.g. `ECONNREFUSED`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/**
 * A deadline that also fires when `parent` (e.g. the MCP request's signal) aborts. Built on a
 * plain timer rather than `AbortSignal.any([AbortSignal.timeout()])`: on Node 20 the timeout
 * signal inside `any()` can be garbage-collected and never fire (nodejs/node#57736).
 */
export function deadlineSignal(timeoutMs: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const dispose = () => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  };
  controller.signal.addEventListener('abort', dispose, { once: true });
  return { signal: controller.signal, dispose };
}

/**
 * One attempt's own timer (`attemptTimeoutMs`, else `defaultMs`), or none when the caller's
 * signal already fires sooner, at the overall deadline.
 */
export function attemptDeadline(options: SendOptions, defaultMs: number): Deadline | undefined {
  const timeoutMs = options.attemptTimeoutMs ?? defaultMs;
  const callerFirst = options.signal !== undefined && options.deadlineAt !== undefined && options.deadlineAt - Date.now() <= timeoutMs;
  return callerFirst ? undefined : deadlineSignal(timeoutMs, options.signal);
}

export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer once the work is done, so it does not outlive the call. */
  dispose(): void;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new UndiciHttpClient(options);
}

type UpstreamResponse = Dispatcher.ResponseData;

/** undici, loaded with the first upstream request: start-up does not pay for it. */
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

/** Compressed answers are asked for and inflated, as fetch does; the size cap counts inflated bytes. */
const ACCEPT_ENCODING = 'gzip, deflate, br';
const DECODERS: Record<string, () => Transform> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

export class UndiciHttpClient implements HttpClient {
  private readonly maxRedirects: number;
  private readonly defaults: Record<string, string>;

  constructor(private readonly options: HttpClientOptions) {
    this.maxRedirects = options.maxRedirects ?? 5;
    this.defaults = { 'accept-encoding': ACCEPT_ENCODING, ...(options.userAgent ? { 'user-agent': options.userAgent } : {}) };
  }

  async send(request: HttpRequest, sendOptions: SendOptions = {}): Promise<HttpResponse> {
    const deadline = attemptDeadline(sendOptions, this.options.timeoutMs);
    const signal = deadline?.signal ?? sendOptions.signal!;
    try {
      const response = await this.requestFollowingSameOrigin(request, signal);
      const { bytes, truncated } = await readLimited(decoded(response), this.options.maxResponseBytes);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      return {
        status: response.statusCode,
        statusText: STATUS_CODES[response.statusCode] ?? '',
        headers,
        contentType: headers['content-type'] ?? '',
        bytes,
        truncated,
      };
    } catch (err) {
      throw this.classify(err, signal, request.url);
    } finally {
      deadline?.dispose();
    }
  }

  /**
   * Same-origin redirects are followed here; one to another origin is returned as it is, since
   * following it would hand the API-key headers to whatever origin the upstream names.
   */
  private async requestFollowingSameOrigin(request: HttpRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    let current = request;
    for (let hop = 0; ; hop++) {
      const wire = await wireRequest(current);
      const undici = await loadUndici();
      const cache = current.method === 'GET' ? this.options.cache : undefined;
      const trace: CacheTrace = {};
      const response = await undici.request(current.url, {
        method: current.method as Dispatcher.HttpMethod,
        headers: withDefaults(wire.headers, this.defaults),
        body: wire.body,
        signal,
        ...(cache ? { dispatcher: await cache.dispatcherFrom(undici), [TRACE]: trace } : {}),
      });
      cache?.record(trace, isConditional(current.headers));
      // A write that succeeded makes what was cached for its URL stale (RFC 9111 §4.4).
      if (response.statusCode < 400 && current.method !== 'GET') await this.options.cache?.invalidate(undici, current.method, current.url);
      const location = firstHeader(response.headers['location']);
      if (response.statusCode < 300 || response.statusCode > 399 || !location || hop >= this.maxRedirects) {
        return response;
      }
      const next = new URL(location, current.url);
      if (next.origin !== new URL(current.url).origin) return response;
      await response.body.dump().catch(() => undefined);
      // 303, and 301/302 after POST, turn into a body-less GET, as browsers and fetch do.
      const toGet =
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && current.method === 'POST');
      const headers = { ...current.headers };
      if (toGet) delete headers['content-type'];
      current = toGet
        ? { method: current.method === 'HEAD' ? 'HEAD' : 'GET', url: next.href, headers }
        : { ...current, url: next.href, headers };
    }
  }

  private classify(err: unknown, signal: AbortSignal, url: string): Error {
    if (err instanceof UpstreamError) return err;
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (reason instanceof Error && reason.name === 'TimeoutError') {
        // Either this attempt's own timer or the caller's overall deadline; both say how long.
        return new UpstreamError('timeout', `upstream request ${reason.message}`);
      }
      return new UpstreamError('cancelled', 'upstream request was cancelled');
    }
    return new UpstreamError('network', describeNetworkError(err, url), networkErrorCode(err));
  }
}

/**
 * The body as undici sends it. A form goes as its encoded text; multipart form data is encoded by
 * the platform's own encoder (a WHATWG Response), which also names the boundary: the platform's
 * FormData comes from the undici bundled with Node, which this undici's encoder cannot read.
 */
async function wireRequest(request: HttpRequest): Promise<{ headers: Record<string, string>; body?: string | Buffer }> {
  const body = request.body;
  if (body === undefined || typeof body === 'string') return { headers: request.headers, ...(body === undefined ? {} : { body }) };
  if (body instanceof URLSearchParams) return { headers: request.headers, body: body.toString() };
  const encoded = new Response(body);
  const headers = { ...request.headers, 'content-type': encoded.headers.get('content-type') ?? 'multipart/form-data' };
  return { headers, body: Buffer.from(await encoded.arrayBuffer()) };
}

/** The request's headers, plus each default whose name it does not use in any case. */
function withDefaults(headers: Record<string, string>, defaults: Record<string, string>): Record<string, string> {
  const missing = Object.keys(defaults).filter((name) => !Object.keys(headers).some((key) => key.toLowerCase() === name));
  if (missing.length === 0) return headers;
  const out = { ...headers };
  for (const name of missing) out[name] = defaults[name]!;
  return out;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The body, inflated when the upstream compressed it (undici, unlike fetch, leaves that to us). */
function decoded(response: UpstreamResponse): Readable {
  const encoding = firstHeader(response.headers['content-encoding'])?.trim().toLowerCase();
  const decoder = encoding ? DECODERS[encoding] : undefined;
  // pipeline destroys the socket's stream when the decoder is destroyed (a cut body) or fails.
  return decoder ? pipeline(response.body, decoder(), () => undefined) : response.body;
}

/** Reads at most `limit` bytes, then destroys the stream so the connection is released. */
async function readLimited(body: Readable, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (total + chunk.byteLength > limit) {
      chunks.push(chunk.subarray(0, limit - total));
      total = limit;
      body.destroy();
      return { bytes: Buffer.concat(chunks, total), truncated: true };
    }
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), truncated: false };
}

function networkErrorCode(err: unknown): string | undefined {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
}

function describeNetworkError(err: unknown, url: string): string {
  const where = describeUrl(url);
  let origin = where;
  let host = where;
  try {
    const parsed = new URL(url);
    origin = parsed.origin;
    host = parsed.host;
  } catch {
    // describeUrl already said the URL is invalid.
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = networkErrorCode(err) ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused to ${origin}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve host ${host}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection to ${origin} was reset`;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `connection to ${origin} timed out`;
    default: {
      const message = cause instanceof Error ? cause.message : String(cause);
      return `upstream request to ${where} failed: ${message}`;
    }
  }
}
