/**
 * The one place that talks to the upstream API: an interface plus a plain, single-attempt
 * fetch implementation. resilience.ts wraps it with retries, a circuit breaker per origin,
 * fallback base URLs and a bulkhead, without the server noticing.
 */
import type { FetchLike } from './auth.js';
import { describeUrl } from './auth.js';
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
  fetchImpl?: FetchLike;
  /** Same-origin redirects followed before giving up; cross-origin ones are never followed. */
  maxRedirects?: number;
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

export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer once the work is done, so it does not outlive the call. */
  dispose(): void;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new FetchHttpClient(options);
}

export class FetchHttpClient implements HttpClient {
  private readonly fetchImpl: FetchLike;
  private readonly maxRedirects: number;

  constructor(private readonly options: HttpClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.maxRedirects = options.maxRedirects ?? 5;
  }

  async send(request: HttpRequest, sendOptions: SendOptions = {}): Promise<HttpResponse> {
    const deadline = deadlineSignal(sendOptions.attemptTimeoutMs ?? this.options.timeoutMs, sendOptions.signal);
    const signal = deadline.signal;
    try {
      const response = await this.fetchFollowingSameOrigin(request, signal);
      const { bytes, truncated } = await readLimited(response, this.options.maxResponseBytes);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      return {
        status: response.status,
        statusText: response.statusText,
        headers,
        contentType: response.headers.get('content-type') ?? '',
        bytes,
        truncated,
      };
    } catch (err) {
      throw this.classify(err, signal, request.url);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Redirects are followed by hand: fetch's automatic mode would forward custom API-key
   * headers to whatever origin the upstream names. Cross-origin redirects are returned as-is.
   */
  private async fetchFollowingSameOrigin(request: HttpRequest, signal: AbortSignal): Promise<Response> {
    let current = request;
    for (let hop = 0; ; hop++) {
      const init: RequestInit = { method: current.method, headers: current.headers, signal, redirect: 'manual' };
      if (current.body !== undefined) init.body = current.body;
      const response = await this.fetchImpl(current.url, init);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location || hop >= this.maxRedirects) {
        return response;
      }
      const next = new URL(location, current.url);
      if (next.origin !== new URL(current.url).origin) return response;
      await response.body?.cancel().catch(() => undefined);
      // 303, and 301/302 after POST, turn into a body-less GET, as browsers and fetch do.
      const toGet =
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && current.method === 'POST');
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

/** Reads at most `limit` bytes, then cancels the stream so the connection is released. */
async function readLimited(response: Response, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!response.body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  return { bytes: Buffer.concat(chunks, total), truncated };
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
