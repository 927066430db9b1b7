/**
 * Per-tool counters for the `metrics://server/stats` resource, and the redacted effective
 * configuration for `config://server/settings`. Everything is in memory and bounded.
 */
import type { RuntimeConfig } from '../config.js';
import type { ServerDefinition } from '../definition.js';
import { describeUrl, requiredEnv } from '../upstream/auth.js';
import type { BreakerSnapshot } from '../upstream/resilience.js';
import type { CacheStats } from '../upstream/cache.js';

/** Latencies kept per tool for the percentiles (most recent ones). */
const LATENCY_WINDOW = 1_024;

interface ToolCounters {
  calls: number;
  errors: number;
  retries: number;
  latencies: number[];
  next: number;
}

export interface CallOutcome {
  ms: number;
  isError: boolean;
  retries: number;
}

export interface ToolStats {
  calls: number;
  errors: number;
  retries: number;
  latencyMs: { p50: number; p95: number } | null;
}

export class Metrics {
  private readonly tools = new Map<string, ToolCounters>();
  private readonly started = Date.now();

  record(tool: string, outcome: CallOutcome): void {
    let counters = this.tools.get(tool);
    if (!counters) {
      counters = { calls: 0, errors: 0, retries: 0, latencies: [], next: 0 };
      this.tools.set(tool, counters);
    }
    counters.calls++;
    if (outcome.isError) counters.errors++;
    counters.retries += outcome.retries;
    if (counters.latencies.length < LATENCY_WINDOW) counters.latencies.push(outcome.ms);
    else counters.latencies[counters.next] = outcome.ms;
    counters.next = (counters.next + 1) % LATENCY_WINDOW;
  }

  snapshot(extra: { breakers?: BreakerSnapshot[]; load?: { inFlight: number; queued: number }; cache?: CacheStats | 'off' } = {}): object {
    const tools: Record<string, ToolStats> = {};
    for (const [name, c] of [...this.tools.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const sorted = [...c.latencies].sort((a, b) => a - b);
      tools[name] = {
        calls: c.calls,
        errors: c.errors,
        retries: c.retries,
        latencyMs: sorted.length > 0 ? { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) } : null,
      };
    }
    return {
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      ...(extra.load ? { upstream: extra.load } : {}),
      tools,
      breakers: extra.breakers ?? [],
      ...(extra.cache ? { cache: extra.cache } : {}),
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/** Drops user:password from a URL; leaves anything unparsable as a placeholder. */
function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = 'REDACTED';
      parsed.password = '';
    }
    return parsed.href;
  } catch {
    return url;
  }
}

/**
 * The effective configuration. Built from an allow-list of fields, so nothing from `env` (where
 * the secrets live) can appear except the names of the auth variables and whether they are set.
 */
export function effectiveSettings(definition: ServerDefinition, config: RuntimeConfig): object {
  return {
    server: { name: definition.server.name, version: definition.server.version },
    configFile: config.configFile ?? null,
    baseUrl: redactUrl(config.baseUrl) ?? null,
    fallbackBaseUrls: config.fallbackBaseUrls.map((url) => redactUrl(url)),
    transport: config.transport,
    host: config.host,
    port: config.port,
    timeoutMs: config.timeoutMs,
    attemptTimeoutMs: config.attemptTimeoutMs,
    retry: config.retry,
    circuitBreaker: config.circuitBreaker,
    maxConcurrent: config.maxConcurrent,
    maxQueue: config.maxQueue,
    maxResponseBytes: config.maxResponseBytes,
    cache: config.cache ? { store: 'memory', maxBytes: config.cache.maxBytes } : 'off',
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    logLevel: config.logLevel,
    inboundAuth: config.inboundAuth
      ? { verifiedWith: config.inboundAuth.key.kind, issuer: config.inboundAuth.issuer ?? null, audience: config.inboundAuth.audience ?? null, rolesClaim: config.inboundAuth.rolesClaim }
      : 'off',
    // The endpoint and what is asked for; the client secret only as set.
    tokenExchange: config.tokenExchange
      ? { url: describeUrl(config.tokenExchange.url), clientId: config.tokenExchange.clientId, audience: config.tokenExchange.audience ?? null, scope: config.tokenExchange.scope ?? null }
      : 'off',
    auditLog: config.auditLog ?? 'off',
    rateLimitPerMinute: config.rateLimitPerMinute,
    // The URL may carry a password: only whether replicas share the count.
    rateLimitShared: config.redisUrl !== undefined,
    maxBodyBytes: config.maxBodyBytes,
    shutdownGraceMs: config.shutdownGraceMs,
    auth: definition.auth.map((scheme) => ({
      id: scheme.id,
      type: scheme.type,
      env: Object.fromEntries(requiredEnv(scheme).map((name) => [name, config.env[name]?.trim() ? 'set' : 'unset'])),
    })),
  };
}
