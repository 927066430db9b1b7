/**
 * RFC 9111 caching of upstream GET responses (MCP_CACHE=memory, the default): undici's cache
 * interceptor over its memory store, so freshness (`Cache-Control`, `Expires`), `Vary` and
 * `ETag`/`Last-Modified` revalidation follow undici's reading of the RFC, not ours.
 *
 * Entries are kept apart by the credentials a request carries: `Authorization`, `Cookie` and the
 * spec's API-key headers (a key in the query string is part of the URL already). A response
 * fetched with one caller's token is never served to a request made with another's, whatever
 * the response says, and within one set of credentials the cache is a private one (one upstream
 * identity), so `Cache-Control: private` answers are kept too. undici still refuses to store an
 * answer to a request with `Authorization` unless it says `public`, `s-maxage` or
 * `must-revalidate` (RFC 9111 §3.5).
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LRUCache } from 'lru-cache';
import type { Dispatcher, interceptors } from 'undici';

type CacheStore = NonNullable<NonNullable<Parameters<typeof interceptors.cache>[0]>['store']>;
type CacheKey = Parameters<CacheStore['get']>[0];
type CacheValue = Parameters<CacheStore['createWriteStream']>[1];

export interface ResponseCacheOptions {
  maxBytes: number;
  /** Lower-case names of request headers that carry credentials, besides authorization and cookie. */
  credentialHeaders: readonly string[];
}

export interface CacheStats {
  /** Answered from the cache without asking the upstream. */
  hits: number;
  /** Sent to the upstream: nothing usable was cached. */
  misses: number;
  /** A cached answer was checked with the upstream (`If-None-Match` / `If-Modified-Since`). */
  revalidations: number;
}

/** What one GET went through; filled in by the interceptor nearest the network. */
export interface CacheTrace {
  network?: boolean;
  conditional?: boolean;
}

/** Where a request's trace rides on undici's dispatch options (spread copies keep it). */
export const TRACE = Symbol('mcp-gen.cache-trace');

/** undici's default for one answer: larger ones are not worth a slot. */
const MAX_ENTRY_BYTES = 5 * 1024 * 1024;
const ALWAYS_CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie'];
const CONDITIONAL = ['if-none-match', 'if-modified-since'];

export class ResponseCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, revalidations: 0 };
  private readonly credentialHeaders: string[];
  private dispatcher: Promise<Dispatcher> | undefined;

  constructor(private readonly options: ResponseCacheOptions) {
    this.credentialHeaders = [...new Set([...ALWAYS_CREDENTIALS, ...options.credentialHeaders.map((name) => name.toLowerCase())])];
  }

  /**
   * The caching dispatcher, built with the first GET: undici and lru-cache load then, so start-up
   * does not pay for them.
   */
  dispatcherFrom(undici: typeof import('undici')): Promise<Dispatcher> {
    this.dispatcher ??= import('lru-cache').then(({ LRUCache: Lru }) => {
      // undici's own limits stay out of the way: PartitionedStore keeps the budget.
      const memory = new undici.cacheStores.MemoryCacheStore({
        maxSize: Number.MAX_SAFE_INTEGER,
        maxCount: Number.MAX_SAFE_INTEGER,
        maxEntrySize: Math.min(this.options.maxBytes, MAX_ENTRY_BYTES),
      });
      const recency = new Lru<string, Tally>({
        maxSize: this.options.maxBytes,
        sizeCalculation: (tally) => Math.max(1, tally.bytes),
        dispose: (tally, _url, reason) => {
          if (reason !== 'set') void memory.delete(tally.key);
        },
      });
      const store = new PartitionedStore(memory, recency, this.credentialHeaders);
      // compose: the last interceptor runs first, so `traced` sees only what goes on the wire.
      return new undici.Agent().compose(traced, undici.interceptors.cache({ store, type: 'private' }));
    });
    return this.dispatcher;
  }

  /** Counts one GET once its answer is in. */
  record(trace: CacheTrace, askedConditionally: boolean): void {
    if (!trace.network) this.stats.hits++;
    else if (trace.conditional && !askedConditionally) this.stats.revalidations++;
    else this.stats.misses++;
  }
}

export function isConditional(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => CONDITIONAL.includes(name.toLowerCase()));
}

const traced =
  (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
  (opts, handler) => {
    const trace = (opts as { [TRACE]?: CacheTrace })[TRACE];
    if (trace) {
      trace.network = true;
      trace.conditional = isConditional((opts.headers ?? {}) as Record<string, string>);
    }
    return dispatch(opts, handler);
  };

/**
 * undici's memory store behind two things it lacks. A partition: the digest of the request's
 * credentials joins the origin, which undici matches exactly, so no lookup crosses credentials.
 * And a byte budget: undici 7's store evicts by halving each URL's list of variants, which never
 * drops a URL cached once, so past its maxSize it grows without bound (measured: 500 single
 * answers of 1 kB all kept under a 10 kB limit). An LRU of URLs with their bytes decides here
 * what goes; a URL's bytes are the sum of what was written for it, so an answer written again
 * (after a revalidation) counts twice and is dropped sooner, never later.
 */
class PartitionedStore implements CacheStore {
  constructor(
    private readonly store: CacheStore,
    /** Bytes written per URL, least recently used first out (and then out of `store`). */
    private readonly recency: LRUCache<string, Tally>,
    private readonly credentialHeaders: readonly string[],
  ) {}

  get(key: CacheKey) {
    const partitioned = this.partitioned(key);
    this.recency.get(urlOf(partitioned));
    return this.store.get(partitioned);
  }

  createWriteStream(key: CacheKey, value: CacheValue) {
    const partitioned = this.partitioned(key);
    const inner = this.store.createWriteStream(partitioned, value);
    if (!inner) return undefined;
    let bytes = 0;
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        bytes += chunk.length;
        inner.write(chunk, callback);
      },
      final: (callback) => {
        inner.end(() => {
          const url = urlOf(partitioned);
          this.recency.set(url, { key: partitioned, bytes: (this.recency.peek(url)?.bytes ?? 0) + bytes });
          callback();
        });
      },
      destroy: (err, callback) => {
        inner.destroy(err ?? undefined);
        callback(err);
      },
    });
  }

  delete(key: CacheKey) {
    const partitioned = this.partitioned(key);
    this.recency.delete(urlOf(partitioned));
    return this.store.delete(partitioned);
  }

  private partitioned(key: CacheKey): CacheKey {
    const headers = key.headers ?? {};
    const present = this.credentialHeaders.filter((name) => headers[name] !== undefined);
    if (present.length === 0) return key;
    const digest = createHash('sha256');
    for (const name of present) digest.update(`${name}\n${String(headers[name])}\n`);
    return { ...key, origin: `${key.origin} ${digest.digest('base64url')}` };
  }
}

interface Tally {
  key: CacheKey;
  bytes: number;
}

/** What undici's store files variants under: one URL, every method and Vary variant. */
const urlOf = (key: CacheKey) => `${key.origin}:${key.path}`;
