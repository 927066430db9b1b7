/**
 * Resilience around the single-attempt client, built from cockatiel policies:
 *
 *   bulkhead (process-wide) → for each base URL: circuit breaker (per origin) → retry → attempt
 *
 * - The bulkhead bounds upstream calls in flight; a bounded queue waits behind it and a full
 *   queue is a clear tool error rather than unbounded memory.
 * - The breaker sees one outcome per call (after retries), so `threshold` counts failed calls.
 *   Failures are network errors, timeouts and every 5xx answer (an upstream that is down but
 *   answers 500 must not be hammered); 4xx answers are the caller's, 429 included (its
 *   Retry-After is honoured by the retry), and cancellations are not failures either.
 * - Retries use exponential back-off with full jitter, honour `Retry-After`, and only happen
 *   for idempotent requests. No retry ever sleeps past the overall deadline: when the wait
 *   would outlast it, the last answer (e.g. the 429 itself) is returned at once instead.
 * - The next base URL is tried when the breaker for the current one is open or it refuses the
 *   connection (nothing was sent, so this is safe even for a POST).
 */
import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
} from 'cockatiel';
import type { BulkheadPolicy, CircuitBreakerPolicy, FailureReason, IRetryBackoffContext } from 'cockatiel';
import type { CircuitBreakerConfig, RetryConfig } from '../config.js';
import { deadlineSignal, UpstreamError } from './http-client.js';
import type { HttpClient, HttpRequest, HttpResponse, SendOptions, SendReport } from './http-client.js';
import { silentLogger } from '../observe/log.js';
import type { Logger } from '../observe/log.js';

/** Origins with a breaker of their own at most (see breakerFor). */
const MAX_BREAKERS = 1000;

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export interface ResilienceOptions {
  /** Overall deadline per call when the caller passes no `deadlineAt`. */
  timeoutMs: number;
  retry: RetryConfig;
  circuitBreaker: CircuitBreakerConfig;
  maxConcurrent: number;
  maxQueue: number;
  logger?: Logger;
  /** Source of jitter; injectable for tests. */
  random?: () => number;
}

export type BreakerStateName = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  origin: string;
  state: BreakerStateName;
  /** Consecutive failed calls counted towards the threshold. */
  consecutiveFailures: number;
  /** While open: milliseconds until a trial call is let through. */
  retryInMs?: number;
}

interface Breaker {
  policy: CircuitBreakerPolicy;
  counter: ConsecutiveBreaker;
  openedAt?: number;
}

/** Thrown inside the retry loop when the next wait would outlast the deadline. */
class OutOfTime extends Error {
  constructor(readonly last: FailureReason<HttpResponse>) {
    super('out of time for another attempt');
  }
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const wanted = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === wanted);
}

/** `Retry-After` as a delay in ms: delta-seconds or an HTTP date; undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const isRetryableResponse = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && RETRYABLE_STATUSES.has((value as HttpResponse).status);
const isServerFailure = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as HttpResponse).status >= 500;
/** A failure for the breaker; out of time, the last answer decides (a 429 whose Retry-After outlasts the deadline is not one). */
const isCountedError = (err: Error): boolean =>
  err instanceof OutOfTime
    ? 'error' in err.last ? isCountedError(err.last.error) : isServerFailure(err.last.value)
    : err instanceof UpstreamError && (err.kind === 'network' || err.kind === 'timeout');

export class ResilientHttpClient implements HttpClient {
  private readonly bulkhead: BulkheadPolicy;
  private readonly breakers = new Map<string, Breaker>();
  private readonly logger: Logger;
  private readonly random: () => number;

  constructor(
    private readonly inner: HttpClient,
    private readonly options: ResilienceOptions,
  ) {
    this.bulkhead = bulkhead(options.maxConcurrent, options.maxQueue);
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
  }

  /** Calls holding a bulkhead slot, and calls waiting for one. */
  get load(): { inFlight: number; queued: number } {
    return {
      inFlight: this.options.maxConcurrent - this.bulkhead.executionSlots,
      queued: this.options.maxQueue - this.bulkhead.queueSlots,
    };
  }

  breakerStates(): BreakerSnapshot[] {
    return [...this.breakers.entries()].map(([origin, breaker]) => {
      const snapshot: BreakerSnapshot = {
        origin,
        state: stateName(breaker.policy.state),
        consecutiveFailures: breaker.counter.state,
      };
      if (snapshot.state === 'open') snapshot.retryInMs = this.retryInMs(breaker);
      return snapshot;
    });
  }

  async send(request: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
    const own = options.deadlineAt === undefined ? deadlineSignal(this.options.timeoutMs, options.signal) : undefined;
    const signal = own?.signal ?? options.signal ?? new AbortController().signal;
    const deadlineAt = options.deadlineAt ?? Date.now() + this.options.timeoutMs;
    const report = options.report ?? { attempts: 0, retries: 0 };
    try {
      const running = this.bulkhead.execute(() => this.sendWithFallback(request, options, signal, deadlineAt, report), signal);
      // A queued call is only dropped by cockatiel when its turn comes; the deadline must not wait.
      return await raceAbort(running, signal);
    } catch (err) {
      if (isBulkheadRejectedError(err)) {
        this.logger.warn('call rejected: bulkhead full', this.load);
        throw new UpstreamError(
          'overloaded',
          `too many concurrent tool calls: ${this.options.maxConcurrent} running and ${this.options.maxQueue} waiting ` +
            '(MCP_MAX_CONCURRENT); try again shortly',
        );
      }
      if (signal.aborted && !(err instanceof UpstreamError)) throw abortError(signal);
      throw err;
    } finally {
      own?.dispose();
    }
  }

  private async sendWithFallback(
    request: HttpRequest,
    options: SendOptions,
    signal: AbortSignal,
    deadlineAt: number,
    report: SendReport,
  ): Promise<HttpResponse> {
    const candidates = [request, ...(options.fallbacks ?? [])];
    const idempotent =
      options.idempotent === true || IDEMPOTENT_METHODS.has(request.method.toUpperCase()) || hasHeader(request.headers, 'idempotency-key');
    for (let i = 0; ; i++) {
      const candidate = candidates[i]!;
      const hasNext = i + 1 < candidates.length;
      const origin = originOf(candidate.url);
      const breaker = this.breakerFor(origin);
      report.origin = origin;
      try {
        return await breaker.policy.execute(
          ({ signal: s }) =>
            this.withRetries(candidate, { idempotent, hasNext, deadlineAt, report, attemptTimeoutMs: options.attemptTimeoutMs, transport: options.transport ?? this.inner }, s),
          signal,
        );
      } catch (err) {
        let failure = err;
        if (err instanceof OutOfTime) {
          if ('value' in err.last) return err.last.value;
          failure = err.last.error;
        }
        if (isBrokenCircuitError(failure)) {
          failure = new UpstreamError(
            'unavailable',
            `upstream ${origin} unavailable (circuit open), retry in ${Math.max(1, Math.ceil(this.retryInMs(breaker) / 1000))} s`,
          );
        }
        const refused = failure instanceof UpstreamError && (failure.kind === 'unavailable' || failure.code === 'ECONNREFUSED');
        if (hasNext && refused && !signal.aborted) {
          this.logger.warn('falling back to the next base URL', {
            from: origin,
            to: originOf(candidates[i + 1]!.url),
            reason: (failure as Error).message,
          });
          continue;
        }
        throw failure;
      }
    }
  }

  private async withRetries(
    request: HttpRequest,
    call: { idempotent: boolean; hasNext: boolean; deadlineAt: number; report: SendReport; attemptTimeoutMs: number | undefined; transport: HttpClient },
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const { initialDelayMs, maxDelayMs, attempts } = this.options.retry;
    let outOfTime = false;
    let last: FailureReason<HttpResponse> | undefined;
    // With another base URL to go to, a refused connection moves on at once instead of retrying.
    const retryable = handleWhen(
      (err) => err instanceof UpstreamError && (err.kind === 'network' || err.kind === 'timeout') && !(call.hasNext && err.code === 'ECONNREFUSED'),
    ).orWhenResult(isRetryableResponse);
    const policy = retry(retryable, {
      maxAttempts: call.idempotent ? attempts - 1 : 0,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
        // Full jitter: uniformly random in [0, min(max, initial * 2^(n-1))).
        let delay = Math.floor(this.random() * Math.min(maxDelayMs, initialDelayMs * 2 ** (context.attempt - 1)));
        const result = context.result;
        if ('value' in result) {
          const retryAfter = parseRetryAfter((result.value as HttpResponse).headers['retry-after']);
          if (retryAfter !== undefined) delay = Math.max(delay, retryAfter);
        }
        if (Date.now() + delay >= call.deadlineAt) {
          outOfTime = true;
          return 0;
        }
        return delay;
      }),
    });
    policy.onRetry((event) => {
      if (outOfTime) return;
      call.report.retries++;
      this.logger.info('retrying upstream call', {
        origin: originOf(request.url),
        attempt: event.attempt + 1,
        delayMs: event.delay,
        reason: 'error' in event ? event.error.message : `HTTP ${(event.value as HttpResponse).status}`,
      });
    });
    return policy.execute(async ({ signal: s }) => {
      if (outOfTime && last) throw new OutOfTime(last);
      call.report.attempts++;
      try {
        const response = await call.transport.send(request, {
          signal: s,
          deadlineAt: call.deadlineAt,
          ...(call.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: call.attemptTimeoutMs }),
        });
        last = { value: response };
        return response;
      } catch (err) {
        last = { error: err as Error };
        throw err;
      }
    }, signal);
  }

  private breakerFor(origin: string): Breaker {
    let breaker = this.breakers.get(origin);
    if (breaker) return breaker;
    // The web tools reach any origin the model names: forget the oldest closed breaker (no state
    // worth keeping) rather than grow without bound.
    if (this.breakers.size >= MAX_BREAKERS) {
      for (const [known, b] of this.breakers) {
        if (b.policy.state === CircuitState.Closed) {
          this.breakers.delete(known);
          break;
        }
      }
    }
    const counter = new ConsecutiveBreaker(this.options.circuitBreaker.threshold);
    const policy = circuitBreaker(handleWhen(isCountedError).orWhenResult(isServerFailure), {
      breaker: counter,
      halfOpenAfter: this.options.circuitBreaker.cooldownMs,
    });
    const created: Breaker = { policy, counter };
    policy.onBreak(() => {
      created.openedAt = Date.now();
      this.logger.warn('circuit opened', { origin, cooldownMs: this.options.circuitBreaker.cooldownMs });
    });
    policy.onHalfOpen(() => this.logger.info('circuit half-open: trial call', { origin }));
    policy.onReset(() => {
      created.openedAt = undefined;
      this.logger.info('circuit closed', { origin });
    });
    this.breakers.set(origin, created);
    return created;
  }

  private retryInMs(breaker: Breaker): number {
    const openedAt = breaker.openedAt ?? Date.now();
    return Math.max(0, openedAt + this.options.circuitBreaker.cooldownMs - Date.now());
  }
}

function stateName(state: CircuitState): BreakerStateName {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function abortError(signal: AbortSignal): UpstreamError {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'TimeoutError'
    ? new UpstreamError('timeout', `upstream request ${reason.message}`)
    : new UpstreamError('cancelled', 'upstream request was cancelled');
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
