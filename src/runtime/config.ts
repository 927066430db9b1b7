/**
 * Run-time configuration from environment variables. The variable names are a contract shared
 * with the generator's README template, so they are spelled out here exactly once.
 */
import type { ServerDefinition } from './definition.js';
import { isLogLevel, LOG_LEVELS } from './log.js';
import type { LogLevel } from './log.js';

export type Env = Record<string, string | undefined>;

export type TransportKind = 'stdio' | 'http';

export interface RuntimeConfig {
  /**
   * Upstream base URL: `API_BASE_URL`, else the definition's first base URL. Undefined when
   * neither exists; tool calls then fail with an explanation instead of the server refusing
   * to start, so `tools/list` still works.
   */
  baseUrl: string | undefined;
  transport: TransportKind;
  port: number;
  host: string;
  /** Overall deadline per tool call, including token fetches. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Extra `Host` header values accepted by the HTTP transport. */
  allowedHosts: string[];
  /** Extra `Origin` header values accepted by the HTTP transport. */
  allowedOrigins: string[];
  logLevel: LogLevel;
  /** The environment secrets are read from at call time (never copied elsewhere). */
  env: Env;
}

export const DEFAULTS = {
  transport: 'stdio' as TransportKind,
  port: 3000,
  host: '127.0.0.1',
  timeoutMs: 30_000,
  maxResponseBytes: 1_048_576,
  logLevel: 'info' as LogLevel,
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(definition: ServerDefinition, env: Env = process.env): RuntimeConfig {
  const errors: string[] = [];
  const collect = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      return fallback;
    }
  };

  const baseUrl = collect(() => readBaseUrl(definition, env), undefined);
  const transport = collect(() => readTransport(env), DEFAULTS.transport);
  const port = collect(() => readInteger(env, 'PORT', DEFAULTS.port, 0, 65_535), DEFAULTS.port);
  const host = nonEmpty(env['HOST']) ?? DEFAULTS.host;
  const timeoutMs = collect(
    () => readInteger(env, 'MCP_TIMEOUT_MS', DEFAULTS.timeoutMs, 1, 2_147_483_647),
    DEFAULTS.timeoutMs,
  );
  const maxResponseBytes = collect(
    () => readInteger(env, 'MCP_MAX_RESPONSE_BYTES', DEFAULTS.maxResponseBytes, 1, Number.MAX_SAFE_INTEGER),
    DEFAULTS.maxResponseBytes,
  );
  const logLevel = collect(() => readLogLevel(env), DEFAULTS.logLevel);

  if (errors.length > 0) {
    // Report every problem at once so a misconfigured deployment is fixed in one round trip.
    throw new ConfigError(`Invalid configuration:\n  - ${errors.join('\n  - ')}`);
  }

  return {
    baseUrl,
    transport,
    port,
    host,
    timeoutMs,
    maxResponseBytes,
    allowedHosts: readList(env, 'MCP_ALLOWED_HOSTS'),
    allowedOrigins: readList(env, 'MCP_ALLOWED_ORIGINS'),
    logLevel,
    env,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function readBaseUrl(definition: ServerDefinition, env: Env): string | undefined {
  const fromEnv = nonEmpty(env['API_BASE_URL']);
  if (fromEnv !== undefined) {
    if (!isAbsoluteHttpUrl(fromEnv)) {
      throw new Error(`API_BASE_URL must be an absolute http(s) URL, got "${fromEnv}"`);
    }
    return fromEnv;
  }
  // A relative or templated default is kept as-is; the call path reports it with a hint.
  return definition.baseUrls[0];
}

export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function readTransport(env: Env): TransportKind {
  const raw = nonEmpty(env['MCP_TRANSPORT']);
  if (raw === undefined) return DEFAULTS.transport;
  const value = raw.toLowerCase();
  if (value === 'stdio' || value === 'http') return value;
  throw new Error(`MCP_TRANSPORT must be "stdio" or "http", got "${raw}"`);
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const kind = min === 0 ? `an integer between 0 and ${max}` : 'a positive integer';
    throw new Error(`${name} must be ${kind}, got "${raw}"`);
  }
  return value;
}

function readLogLevel(env: Env): LogLevel {
  const raw = nonEmpty(env['MCP_LOG_LEVEL']);
  if (raw === undefined) return DEFAULTS.logLevel;
  const value = raw.toLowerCase();
  if (isLogLevel(value)) return value;
  throw new Error(`MCP_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
}

function readList(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
