/**
 * RFC 9111 caching of upstream GET responses (MCP_CACHE=memory, the default): undici's cache
 * interceptor over its memory store, so freshness (`Cache-Control`, `Expires`), `Vary` and
 * `ETag`/`Last-Modified` revalidation follow undici's reading of the RFC, not ours.
 *
 * Entries are kept apart by the request's headers: every header but a short list that carries
 * no identity (Accept, User-Agent, conditionals…) is digested into the key, so an answer fetched
 * with one caller's token, API key, cookie or any header argument is never served to a request
 * that carries another value (a key in the query string is part of the URL already). Within one
 * set of headers the cache is a private one (one upstream identity), so `Cache-Control: private`
 * answers are kept too; undici still refuses to store an answer to a request with
 * `Authorization` unless it says `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5).
 *
 * A successful write (POST, PUT, PATCH, DELETE) to a URL drops what is cached for that URL under
 * every set of headers (RFC 9111 §4.4), so an agent reads back what it just changed.
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
/** What a stored answer costs besides its body (headers, key, bookkeeping), roughly. */
const ENTRY_OVERHEAD_BYTES = 1024;
/** Request headers that say nothing about who asks: left out of the partition. */
const ANONYMOUS_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'user-agent', 'cache-control', 'pragma', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range']);
const CONDITIONAL = ['if-none-match', 'if-modified-since'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export class ResponseCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, revalidations: 0 };
  private built: Promise<{ dispatcher: Dispatcher; store: PartitionedStore }> | undefined;

  constructor(private readonly options: ResponseCacheOptions) {}

  /**
   * The caching dispatcher, built with the first GET: undici and lru-cache load then, so start-up
   * does not pay for them.
   */
  async dispatcherFrom(undici: typeof import('undici')): Promise<Dispatcher> {
    return (await this.build(undici)).dispatcher;
  }

  /** After a successful unsafe request to `url`: nothing cached for it is served again. */
  async invalidate(undici: typeof import('undici'), method: string, url: string): Promise<void> {
    // Nothing is cached before the first GET built the store.
    if (SAFE_METHODS.has(method.toUpperCase()) || !this.built) return;
    const { store } = await this.build(undici);
    const parsed = new URL(url);
    store.invalidate(parsed.origin, `${parsed.pathname}${parsed.search}`);
  }

  /** Counts one GET once its answer is in. */
  record(trace: CacheTrace, askedConditionally: boolean): void {
    if (!trace.network) this.stats.hits++;
    else if (trace.conditional && !askedConditionally) this.stats.revalidations++;
    else this.stats.misses++;
  }

  private build(undici: typeof import('undici')) {
    this.built ??= import('lru-cache').then(({ LRUCache: Lru }) => {
      // undici's own limits stay out of the way: PartitionedStore keeps the budget.
      const memory = new undici.cacheStores.MemoryCacheStore({
        maxSize: Number.MAX_SAFE_INTEGER,
        maxCount: Number.MAX_SAFE_INTEGER,
        maxEntrySize: Math.min(this.options.maxBytes, MAX_ENTRY_BYTES),
      });
      const store = new PartitionedStore(memory, Lru, this.options.maxBytes);
      // Its own Agent: the global dispatcher may be the one bundled with Node (fetch's), whose
      // handler interface this undici's interceptors do not speak.
      const dispatcher = new undici.Agent().compose(traced, undici.interceptors.cache({ store, type: 'private' }));
      return { dispatcher, store };
    });
    return this.built;
  }
}

export function isConditional(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => CONDITIONAL.includes(name.toLowerCase()));
}

// compose: the last interceptor runs first, so `traced` (composed first) sees only what goes on the wire.
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

/** What one stored URL holds: its variants' sizes, and what undici's store deletes them by. */
interface Tally {
  /** Origin (partitioned), path and method only: no request headers are kept here. */
  key: CacheKey;
  variants: Map<string, number>;
  bytes: number;
}

/**
 * undici's memory store behind what it lacks. A partition: the digest of the request's
 * identifying headers joins the origin, which undici matches exactly, so no lookup crosses
 * callers. A byte budget: undici 7's store evicts by halving each URL's list of variants, which
 * never drops a URL cached once, so past its maxSize it grows without bound (measured: 500
 * single answers of 1 kB all kept under a 10 kB limit); an LRU of stored URLs with their bytes
 * decides here what goes. And invalidation across partitions.
 */
class PartitionedStore implements CacheStore {
  private readonly recency: LRUCache<string, Tally>;
  /** The partitioned origins that hold answers for `origin path`, for invalidation. */
  private readonly partitions = new Map<string, Set<string>>();

  constructor(
    private readonly store: CacheStore,
    Lru: typeof LRUCache,
    maxBytes: number,
  ) {
    this.recency = new Lru<string, Tally>({
      maxSize: maxBytes,
      sizeCalculation: (tally) => Math.max(1, Math.min(maxBytes, tally.bytes)),
      // A URL's tally replaced by its next write is not an eviction: the store holds that answer.
      noDisposeOnSet: true,
      dispose: (tally) => {
        void this.store.delete(tally.key);
        this.unindex(tally.key);
      },
    });
  }

  get(key: CacheKey) {
    const partitioned = this.partitioned(key);
    this.recency.get(urlOf(partitioned));
    return this.store.get(partitioned);
  }

  createWriteStream(key: CacheKey, value: CacheValue) {
    const partitioned = this.partitioned(key);
    const inner = this.store.createWriteStream(partitioned, value);
    if (!inner) return undefined;
    // The store's stream is ours alone: its errors are ours to absorb (undici abandons a write
    // that fails), never an uncaught 'error' event that would end the process.
    inner.on('error', () => undefined);
    let bytes = 0;
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (inner.destroyed) return callback(new Error('cache entry abandoned'));
        bytes += chunk.length;
        inner.write(chunk, (err) => callback(err ?? null));
      },
      final: (callback) => {
        if (inner.destroyed) return callback(new Error('cache entry abandoned'));
        inner.end(() => {
          this.remember(partitioned, value, bytes);
          callback();
        });
      },
      destroy: (err, callback) => {
        inner.destroy();
        callback(err);
      },
    });
  }

  delete(key: CacheKey) {
    const partitioned = this.partitioned(key);
    // Through the LRU when it knows the URL: its dispose deletes from the store and the index.
    if (!this.recency.delete(urlOf(partitioned))) return this.store.delete(partitioned);
  }

  /** Every partition's answers for one URL go. */
  invalidate(origin: string, path: string): void {
    for (const partitioned of [...(this.partitions.get(`${origin} ${path}`) ?? [])]) {
      if (!this.recency.delete(urlOf({ origin: partitioned, path, method: 'GET' }))) void this.store.delete({ origin: partitioned, path, method: 'GET' });
    }
    this.partitions.delete(`${origin} ${path}`);
  }

  private remember(key: CacheKey, value: CacheValue, bodyBytes: number): void {
    const url = urlOf(key);
    const variants = new Map(this.recency.peek(url)?.variants);
    // Hashed: a Vary header's value may be a credential.
    variants.set(digest([key.method, JSON.stringify(value.vary ?? null)]), bodyBytes + ENTRY_OVERHEAD_BYTES);
    let bytes = 0;
    for (const size of variants.values()) bytes += size;
    this.recency.set(url, { key: { origin: key.origin, path: key.path, method: key.method }, variants, bytes });
    const at = `${plainOrigin(key)} ${key.path}`;
    let held = this.partitions.get(at);
    if (!held) this.partitions.set(at, (held = new Set()));
    held.add(key.origin);
  }

  private unindex(key: CacheKey): void {
    const at = `${plainOrigin(key)} ${key.path}`;
    const held = this.partitions.get(at);
    held?.delete(key.origin);
    if (held?.size === 0) this.partitions.delete(at);
  }

  private partitioned(key: CacheKey): CacheKey {
    const headers = key.headers ?? {};
    const identifying = Object.keys(headers)
      .filter((name) => !ANONYMOUS_HEADERS.has(name) && headers[name] !== undefined)
      .sort();
    if (identifying.length === 0) return key;
    return { ...key, origin: `${key.origin} ${digest(identifying.map((name) => `${name}\n${String(headers[name])}`))}` };
  }
}

/** The origin without its partition. */
const plainOrigin = (key: CacheKey) => key.origin.split(' ')[0]!;

function digest(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part}\n`);
  return hash.digest('base64url');
}

/** What undici's store files an answer's variants under: origin and path. */
const urlOf = (key: CacheKey) => `${key.origin}\n${key.path}`;
