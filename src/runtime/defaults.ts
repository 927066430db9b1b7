/**
 * The server's default settings, and the same with a spec's `config:` section laid over them.
 * config.ts starts from these before the config file and the environment; the generator prints
 * them into the project's README and .env.example, so the documented defaults are the ones the
 * server uses. Plain data: the generator imports this module.
 */
import type { SpecConfig } from './definition.js';

/** The transports a server speaks, and its modes (MCP_TRANSPORT, MCP_MODE, and the CLI's --transport, --mode). */
export const TRANSPORTS = ['stdio', 'http'] as const;
export const MODES = ['tools', 'dynamic'] as const;
/** MCP_CACHE: an RFC 9111 cache of GET responses in memory, or none. */
export const CACHE_MODES = ['memory', 'off'] as const;

/**
 * An answer is read up to this many times MCP_MAX_RESPONSE_BYTES, so one a little over the budget
 * can still be parsed and shortened to fit (upstream/shape.ts) instead of cut mid-token.
 */
export const READ_FACTOR = 16;

export const DEFAULTS = {
  transport: 'stdio' as (typeof TRANSPORTS)[number],
  mode: 'tools' as (typeof MODES)[number],
  port: 3000,
  host: '127.0.0.1',
  timeoutMs: 30_000,
  retry: { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 },
  circuitBreaker: { threshold: 5, cooldownMs: 30_000 },
  maxConcurrent: 5,
  /** The queue holds this many times `maxConcurrent`. */
  queueFactor: 4,
  maxResponseBytes: 1_048_576,
  cache: 'memory' as (typeof CACHE_MODES)[number],
  cacheMaxBytes: 67_108_864,
  /** MCP requests are small JSON-RPC messages; 1 MiB leaves room for large tool arguments. */
  maxBodyBytes: 1_048_576,
  logLevel: 'info',
  rolesClaim: 'roles',
  rateLimitPerMinute: 0,
  /** On SIGTERM/SIGINT, calls in flight get this long to finish before the process exits. */
  shutdownGraceMs: 10_000,
} as const;

/** The settings a spec's `config:`, the config file and the environment may tune. */
export interface Tuning {
  timeoutMs: number;
  maxConcurrent: number;
  retry: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  circuitBreaker: { threshold: number; cooldownMs: number };
  maxResponseBytes: number;
}

/** The part of a Tuning that a config file or a spec may set. */
export interface PartialTuning {
  timeoutMs?: number;
  maxConcurrent?: number;
  retry?: Partial<Tuning['retry']>;
  circuitBreaker?: Partial<Tuning['circuitBreaker']>;
  maxResponseBytes?: number;
}

/** `top` over `base`, nested sections merged key by key. */
export function overlay(base: Tuning, top: PartialTuning): Tuning {
  const defined = <T extends object>(o: T | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...base,
    ...defined({ timeoutMs: top.timeoutMs, maxConcurrent: top.maxConcurrent, maxResponseBytes: top.maxResponseBytes }),
    retry: { ...base.retry, ...defined(top.retry) },
    circuitBreaker: { ...base.circuitBreaker, ...defined(top.circuitBreaker) },
  };
}

/** The defaults of a server generated from a spec: the runtime's, then the spec's `config:`. */
export function specDefaults(config: SpecConfig | undefined): Tuning {
  const base: Tuning = {
    timeoutMs: DEFAULTS.timeoutMs,
    maxConcurrent: DEFAULTS.maxConcurrent,
    retry: { ...DEFAULTS.retry },
    circuitBreaker: { ...DEFAULTS.circuitBreaker },
    maxResponseBytes: DEFAULTS.maxResponseBytes,
  };
  return overlay(base, { ...config, maxConcurrent: config?.maxConcurrentTools });
}
