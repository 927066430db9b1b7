/**
 * The per-caller rate limit of the HTTP transport (MCP_RATE_LIMIT requests a minute). In process
 * memory by default; with MCP_REDIS_URL the counts live in Redis, so N replicas behind a balancer
 * allow one caller the limit in total rather than N times it. rate-limiter-flexible keeps the
 * window in one Redis key per caller (an atomic increment with expiry).
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RuntimeConfig } from '../config.js';
import type { Logger } from '../observe/log.js';

export interface RateLimit {
  /** Counts one request of `caller`; the wait in ms when over the limit, else undefined. */
  take(caller: string): Promise<number | undefined>;
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;
/** How long start-up waits for Redis before counting in memory meanwhile. */
const CONNECT_WAIT_MS = 2_000;

export async function createRateLimit(config: Pick<RuntimeConfig, 'rateLimitPerMinute' | 'redisUrl'>, logger: Logger): Promise<RateLimit | undefined> {
  if (config.rateLimitPerMinute <= 0) return undefined;
  // Loaded only when a limit is set: it is a large module, and stdio servers never need it.
  const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = await import('rate-limiter-flexible');
  const options = { points: config.rateLimitPerMinute, duration: WINDOW_SECONDS, keyPrefix: 'mcp-rate' };
  let limiter: RateLimiterAbstract;
  let close = async () => undefined;
  if (config.redisUrl) {
    // Loaded only when used: a server without Redis never opens a connection or loads the client.
    const { Redis } = await import('ioredis');
    // No offline queue: while Redis is down a request fails over to the in-process limit at once.
    const client = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', (err: Error) => logger.warn('redis error', { error: err.message }));
    // Waited for briefly, so the first requests count in Redis; a server still starts while Redis
    // is down, counting in memory until it is back.
    const connected = client.connect().then(
      () => true,
      (err: Error) => {
        logger.warn('redis unreachable: counting in this process until it is back', { error: err.message });
        return false;
      },
    );
    await Promise.race([connected, new Promise((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref())]);
    limiter = new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: new RateLimiterMemory(options) });
    close = async () => void (await client.quit().catch(() => client.disconnect()));
    logger.info('rate limit shared through Redis', { perMinute: config.rateLimitPerMinute });
  } else {
    limiter = new RateLimiterMemory(options);
  }
  return {
    async take(caller) {
      try {
        await limiter.consume(caller);
        return undefined;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        return err.msBeforeNext;
      }
    },
    close,
  };
}
