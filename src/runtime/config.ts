/**
 * Run-time configuration from environment variables and an optional YAML file
 * (`MCP_CONFIG`, default `./mcp-config.yaml` when it exists). Environment variables override
 * the file. The variable names are a contract shared with the generator's README template, so
 * they are spelled out here exactly once.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ServerDefinition } from './definition.js';
import { isPlainObject } from './values.js';
import { CACHE_MODES, DEFAULTS, MODES, overlay, specDefaults, TRANSPORTS, type PartialTuning } from './defaults.js';
import { LOG_LEVELS } from './observe/log.js';
import type { LogLevel } from './observe/log.js';

/** The YAML parser, loaded only when a config file is read: most servers have none. */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

export type Env = Record<string, string | undefined>;

export type TransportKind = (typeof TRANSPORTS)[number];
export type ToolMode = (typeof MODES)[number];

export interface RuntimeConfig {
  /**
   * Upstream base URL: `API_BASE_URL`, else the definition's first base URL. Undefined when
   * neither exists; tool calls then fail with an explanation instead of the server refusing
   * to start, so `tools/list` still works.
   */
  baseUrl: string | undefined;
  transport: TransportKind;
  /** `tools`: every tool in tools/list. `dynamic`: three meta-tools to search, describe and call them. */
  mode: ToolMode;
  port: number;
  host: string;
  /**
   * Fallback base URLs, tried in order when the circuit for the current one is open or it
   * refuses connections. Absolute http(s) URLs only; see readFallbackBaseUrls for when the
   * definition's other base URLs qualify.
   */
  fallbackBaseUrls: string[];
  /** Overall deadline per tool call, including token fetches, retries and back-off. */
  timeoutMs: number;
  /** Deadline of one upstream attempt (always also bounded by what is left of `timeoutMs`). */
  attemptTimeoutMs: number;
  retry: RetryConfig;
  circuitBreaker: CircuitBreakerConfig;
  /** Upstream calls in flight at once; up to `maxQueue` more wait for a slot. */
  maxConcurrent: number;
  maxQueue: number;
  maxResponseBytes: number;
  /** MCP_CACHE=memory (the default): GET responses are cached per RFC 9111 within this many bytes; undefined = off. */
  cache: { maxBytes: number } | undefined;
  /** Sent upstream by HTTP and web tools: `<server>/<version> (MCP server; built with mcp-gen)`. */
  userAgent: string;
  /** Extra `Host` header values accepted by the HTTP transport. */
  allowedHosts: string[];
  /** Extra `Origin` header values accepted by the HTTP transport. */
  allowedOrigins: string[];
  logLevel: LogLevel;
  /** Inbound bearer-JWT verification on the HTTP transport; undefined = no inbound auth. */
  inboundAuth: InboundAuthConfig | undefined;
  /** Where the audit log goes: `stderr` (the default) or a file path; undefined = none (tests). */
  auditLog: string | undefined;
  /** MCP_TOKEN_EXCHANGE_*: trade the caller's token for one meant for the upstream (RFC 8693). */
  tokenExchange: TokenExchangeConfig | undefined;
  /** HTTP: MCP requests per minute per caller (token subject, else client address); 0 = no limit. */
  rateLimitPerMinute: number;
  /** MCP_REDIS_URL: where replicas share the rate limit's counts; unset, each process counts alone. */
  redisUrl: string | undefined;
  /** HTTP: largest JSON-RPC request body accepted; larger ones get 413 before they are parsed. */
  maxBodyBytes: number;
  /** MCP_SHUTDOWN_GRACE_MS: how long calls in flight may run on after SIGTERM/SIGINT. */
  shutdownGraceMs: number;
  /** The config file that was read, if any. */
  configFile: string | undefined;
  /** The environment secrets are read from at call time (never copied elsewhere). */
  env: Env;
}

export interface InboundAuthConfig {
  /** How tokens are verified: an HS256 secret, a PEM public key, or a JWKS URL. */
  key: { kind: 'secret'; secret: string } | { kind: 'publicKey'; pem: string } | { kind: 'jwks'; url: string };
  issuer: string | undefined;
  audience: string | undefined;
  /** Claim that holds the caller's roles: an array, or a space-separated string like OAuth `scope`. */
  rolesClaim: string;
}

export interface TokenExchangeConfig {
  /** The authorization server's token endpoint. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** `audience` sent with the exchange: who the new token is for (the upstream API). */
  audience: string | undefined;
  scope: string | undefined;
}

export interface RetryConfig {
  /** Attempts including the first; 1 disables retries. */
  attempts: number;
  /** Back-off before retry n is random in [0, min(maxDelayMs, initialDelayMs * 2^(n-1))). */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface CircuitBreakerConfig {
  /** Consecutive failed calls (after retries) that open the circuit for an origin. */
  threshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
}

export interface LoadConfigOptions {
  /** Directory `MCP_CONFIG` and the default `mcp-config.yaml` are resolved against. */
  cwd?: string;
}

/** Default config file, looked up in the working directory when `MCP_CONFIG` is unset. */
export const DEFAULT_CONFIG_FILE = 'mcp-config.yaml';

const MAX_INT = 2_147_483_647;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(
  definition: ServerDefinition,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): RuntimeConfig {
  const errors: string[] = [];
  const collect = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
      return fallback;
    }
  };

  const file = collect(() => readConfigFile(env, options.cwd ?? process.cwd()), undefined);
  const fileSettings: PartialTuning = file ? collect(() => validateFileSettings(file.data, file.label), {}) : {};
  // The spec's `config` section gives the defaults; the file and then the environment override it.
  const fromFile = overlay(specDefaults(definition.config), fileSettings);

  const baseUrl = collect(() => readBaseUrl(definition, env), undefined);
  const fallbackBaseUrls = collect(() => readFallbackBaseUrls(definition, env, baseUrl), []);
  const transport = collect(() => readChoice(env, 'MCP_TRANSPORT', TRANSPORTS, DEFAULTS.transport), DEFAULTS.transport);
  const mode = collect(() => readChoice(env, 'MCP_MODE', MODES, DEFAULTS.mode), DEFAULTS.mode);
  const port = collect(() => readInteger(env, 'PORT', DEFAULTS.port, 0, 65_535), DEFAULTS.port);
  const host = nonEmpty(env['HOST']) ?? DEFAULTS.host;
  const int = (name: string, fallback: number, min = 1, max = MAX_INT) => collect(() => readInteger(env, name, fallback, min, max), fallback);

  const timeoutMs = int('MCP_TIMEOUT_MS', fromFile.timeoutMs);
  const attemptTimeoutMs = Math.min(int('MCP_ATTEMPT_TIMEOUT_MS', timeoutMs), timeoutMs);
  const retry: RetryConfig = {
    attempts: int('MCP_RETRY_ATTEMPTS', fromFile.retry.attempts, 1, 100),
    initialDelayMs: int('MCP_RETRY_INITIAL_DELAY_MS', fromFile.retry.initialDelayMs, 0),
    maxDelayMs: int('MCP_RETRY_MAX_DELAY_MS', fromFile.retry.maxDelayMs, 0),
  };
  const circuitBreaker: CircuitBreakerConfig = {
    threshold: int('MCP_BREAKER_THRESHOLD', fromFile.circuitBreaker.threshold),
    cooldownMs: int('MCP_BREAKER_COOLDOWN_MS', fromFile.circuitBreaker.cooldownMs),
  };
  const maxConcurrent = int('MCP_MAX_CONCURRENT', fromFile.maxConcurrent, 1, 100_000);
  const maxResponseBytes = int('MCP_MAX_RESPONSE_BYTES', fromFile.maxResponseBytes, 1, Number.MAX_SAFE_INTEGER);
  const cacheMode = collect(() => readChoice(env, 'MCP_CACHE', CACHE_MODES, DEFAULTS.cache), DEFAULTS.cache);
  const cacheMaxBytes = int('MCP_CACHE_MAX_BYTES', DEFAULTS.cacheMaxBytes, 1, Number.MAX_SAFE_INTEGER);
  const logLevel = collect(() => readChoice(env, 'MCP_LOG_LEVEL', LOG_LEVELS, DEFAULTS.logLevel), DEFAULTS.logLevel);
  const inboundAuth = collect(() => readInboundAuth(env), undefined);
  const tokenExchange = collect(() => readTokenExchange(env, definition, transport, inboundAuth), undefined);
  // One audit line per call, on stderr unless MCP_AUDIT_LOG names a file (design.md's default).
  const audit = collect(() => readAuditLog(env, options.cwd ?? process.cwd()), undefined);
  const auditLog = audit === null ? undefined : (audit ?? 'stderr');
  const maxBodyBytes = int('MCP_MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1, Number.MAX_SAFE_INTEGER);
  const rateLimitPerMinute = int('MCP_RATE_LIMIT', DEFAULTS.rateLimitPerMinute, 0, 1_000_000);
  const shutdownGraceMs = int('MCP_SHUTDOWN_GRACE_MS', DEFAULTS.shutdownGraceMs, 0, 3_600_000);

  if (errors.length > 0) {
    // Report every problem at once so a misconfigured deployment is fixed in one round trip.
    throw new ConfigError(`Invalid configuration:\n  - ${errors.join('\n  - ')}`);
  }

  return {
    baseUrl,
    fallbackBaseUrls,
    transport,
    mode,
    port,
    host,
    timeoutMs,
    attemptTimeoutMs,
    retry,
    circuitBreaker,
    maxConcurrent,
    maxQueue: maxConcurrent * DEFAULTS.queueFactor,
    maxResponseBytes,
    cache: cacheMode === 'memory' ? { maxBytes: cacheMaxBytes } : undefined,
    userAgent: `${definition.server.name}/${definition.server.version} (MCP server; built with mcp-gen)`,
    allowedHosts: readList(env, 'MCP_ALLOWED_HOSTS'),
    allowedOrigins: readList(env, 'MCP_ALLOWED_ORIGINS'),
    logLevel,
    inboundAuth,
    auditLog,
    rateLimitPerMinute,
    redisUrl: redisUrlOf(env),
    maxBodyBytes,
    shutdownGraceMs,
    tokenExchange,
    configFile: file?.path,
    env,
  };
}

// ---------------------------------------------------------------------------------------------
// The YAML file

function readConfigFile(env: Env, cwd: string): { path: string; label: string; data: unknown } | undefined {
  const explicit = nonEmpty(env['MCP_CONFIG']);
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!explicit && !existsSync(file)) return undefined;
  const label = explicit ? `MCP_CONFIG file ${file}` : `config file ${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    throw new Error(code === 'ENOENT' ? `${label} does not exist` : `${label} cannot be read: ${String(err)}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new Error(`${label} is not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return { path: file, label, data };
}

type FieldKind = 'positiveInteger' | 'nonNegativeInteger' | 'positiveNumber';
const FILE_SCHEMA: Record<string, FieldKind | Record<string, FieldKind>> = {
  timeout: 'positiveNumber',
  maxConcurrentTools: 'positiveInteger',
  retry: { attempts: 'positiveInteger', initialDelayMs: 'nonNegativeInteger', maxDelayMs: 'nonNegativeInteger' },
  circuitBreaker: { threshold: 'positiveInteger', cooldownMs: 'positiveInteger' },
  maxResponseBytes: 'positiveInteger',
};

/** Checks every key and value of the parsed file; throws one error listing all problems. */
function validateFileSettings(data: unknown, label: string): PartialTuning {
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw new Error(`${label} must contain a mapping of settings, got ${describe(data)}`);
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const check = (value: unknown, kind: FieldKind, key: string): number | undefined => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (kind === 'positiveNumber' ? value > 0 : Number.isSafeInteger(value) && value >= (kind === 'positiveInteger' ? 1 : 0)) &&
      value <= MAX_INT;
    if (ok) return value;
    const want = kind === 'positiveNumber' ? 'a positive number' : kind === 'positiveInteger' ? 'a positive integer' : 'an integer >= 0';
    problems.push(`${key} must be ${want}, got ${describe(value)}`);
    return undefined;
  };
  for (const [key, value] of Object.entries(data)) {
    const kind = FILE_SCHEMA[key];
    if (kind === undefined) {
      problems.push(`unknown key "${key}" (allowed: ${Object.keys(FILE_SCHEMA).join(', ')})`);
    } else if (typeof kind === 'string') {
      out[key] = check(value, kind, key);
    } else if (!isPlainObject(value)) {
      problems.push(`${key} must be a mapping with keys ${Object.keys(kind).join(', ')}, got ${describe(value)}`);
    } else {
      const nested: Record<string, unknown> = {};
      for (const [sub, subValue] of Object.entries(value)) {
        const subKind = kind[sub];
        if (subKind === undefined) problems.push(`unknown key "${key}.${sub}" (allowed: ${Object.keys(kind).join(', ')})`);
        else nested[sub] = check(subValue, subKind, `${key}.${sub}`);
      }
      out[key] = nested;
    }
  }
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
  // The file's names and units are the spec's (`timeout` in seconds, `maxConcurrentTools`).
  const { timeout, maxConcurrentTools, ...rest } = out;
  return {
    ...rest,
    ...(typeof timeout === 'number' ? { timeoutMs: Math.round(timeout * 1000) } : {}),
    ...(typeof maxConcurrentTools === 'number' ? { maxConcurrent: maxConcurrentTools } : {}),
  } as PartialTuning;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Environment variables

/** MCP_AUTH_JWT_SECRET / MCP_AUTH_PUBLIC_KEY / MCP_AUTH_JWKS_URL: at most one of them. */
function readInboundAuth(env: Env): InboundAuthConfig | undefined {
  const secret = nonEmpty(env['MCP_AUTH_JWT_SECRET']);
  const pem = nonEmpty(env['MCP_AUTH_PUBLIC_KEY']);
  const url = nonEmpty(env['MCP_AUTH_JWKS_URL']);
  const given = [secret && 'MCP_AUTH_JWT_SECRET', pem && 'MCP_AUTH_PUBLIC_KEY', url && 'MCP_AUTH_JWKS_URL'].filter(Boolean);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new Error(`set only one of ${given.join(', ')}: they are alternative ways to verify tokens`);
  if (secret !== undefined && Buffer.byteLength(secret) < 32) throw new Error('MCP_AUTH_JWT_SECRET must be at least 32 bytes (HS256 needs a key as long as its hash)');
  if (url !== undefined && !isAbsoluteHttpUrl(url)) throw new Error(`MCP_AUTH_JWKS_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
  // One-line env files often carry the PEM with literal \n sequences.
  const pemText = pem?.replace(/\\n/g, '\n');
  if (pemText !== undefined) checkPublicKey(pemText);
  const key: InboundAuthConfig['key'] = secret !== undefined ? { kind: 'secret', secret } : pemText !== undefined ? { kind: 'publicKey', pem: pemText } : { kind: 'jwks', url: url! };
  return { key, issuer: nonEmpty(env['MCP_AUTH_ISSUER']), audience: nonEmpty(env['MCP_AUTH_AUDIENCE']), rolesClaim: nonEmpty(env['MCP_AUTH_ROLES_CLAIM']) ?? DEFAULTS.rolesClaim };
}

/**
 * MCP_TOKEN_EXCHANGE_URL and its client credentials. It needs inbound auth: without a verified
 * caller there is no token to trade. MCP_AUTH_PASSTHROUGH is refused by name, not ignored, so a
 * deployment that relied on it does not silently start calling upstream with other credentials.
 */
function readTokenExchange(env: Env, definition: ServerDefinition, transport: string, inbound: InboundAuthConfig | undefined): TokenExchangeConfig | undefined {
  if (nonEmpty(env['MCP_AUTH_PASSTHROUGH']) !== undefined) {
    throw new Error(
      "MCP_AUTH_PASSTHROUGH was removed: the MCP authorization spec forbids sending the caller's token upstream (wrong audience, confused deputy); set MCP_TOKEN_EXCHANGE_URL to trade it for a token meant for the upstream",
    );
  }
  const url = nonEmpty(env['MCP_TOKEN_EXCHANGE_URL']);
  if (url === undefined) return undefined;
  if (!isAbsoluteHttpUrl(url)) throw new Error(`MCP_TOKEN_EXCHANGE_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
  const clientId = nonEmpty(env['MCP_TOKEN_EXCHANGE_CLIENT_ID']);
  const clientSecret = nonEmpty(env['MCP_TOKEN_EXCHANGE_CLIENT_SECRET']);
  const missing = [clientId === undefined && 'MCP_TOKEN_EXCHANGE_CLIENT_ID', clientSecret === undefined && 'MCP_TOKEN_EXCHANGE_CLIENT_SECRET'].filter(Boolean);
  if (missing.length > 0) throw new Error(`MCP_TOKEN_EXCHANGE_URL is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not`);
  if (!inbound || transport !== 'http') {
    throw new Error('MCP_TOKEN_EXCHANGE_URL needs inbound auth (MCP_AUTH_JWKS_URL, MCP_AUTH_PUBLIC_KEY or MCP_AUTH_JWT_SECRET, over MCP_TRANSPORT=http): the exchange trades the verified caller\'s token');
  }
  // A token issued for any audience could otherwise be replayed here and traded (confused deputy).
  if (!inbound.audience) throw new Error('MCP_TOKEN_EXCHANGE_URL needs MCP_AUTH_AUDIENCE: only tokens issued for this server may be traded');
  // One exchange yields a token for one audience: never send it to a second API.
  const secured = Object.entries(definition.sources?.http ?? {}).filter(([, source]) => source.security.length > 0).map(([name]) => name);
  if (definition.tools.some((t) => t.binding.kind === 'http' && t.binding.security.length > 0)) secured.push('the OpenAPI upstream');
  if (secured.length > 1) throw new Error(`MCP_TOKEN_EXCHANGE_URL yields a token for one upstream, and this server calls ${secured.length} with credentials (${secured.join(', ')})`);
  return { url, clientId: clientId!, clientSecret: clientSecret!, audience: nonEmpty(env['MCP_TOKEN_EXCHANGE_AUDIENCE']), scope: nonEmpty(env['MCP_TOKEN_EXCHANGE_SCOPE']) };
}

/**
 * Refuses at start-up what would otherwise make every request fail: text that is not a PEM
 * public key, or a private key (which must never sit in a server's environment).
 * The error never quotes the value.
 */
function checkPublicKey(pem: string): void {
  if (/PRIVATE KEY-----/.test(pem)) throw new Error('MCP_AUTH_PUBLIC_KEY holds a private key; give the server only the public key (-----BEGIN PUBLIC KEY-----)');
  let type: string | undefined;
  try {
    type = createPublicKey(pem).asymmetricKeyType;
  } catch {
    throw new Error('MCP_AUTH_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----; write newlines as \\n on one line)');
  }
  if (!['rsa', 'rsa-pss', 'ec', 'ed25519'].includes(type ?? '')) {
    throw new Error(`MCP_AUTH_PUBLIC_KEY is a ${type ?? 'unknown'} key; RSA (RS256/PS256), EC (ES256/ES384/ES512) or Ed25519 (EdDSA) keys verify JWTs`);
  }
}

/** MCP_AUDIT_LOG: `stderr`, or a file appended to; its directory must exist. */
/** `stderr` (default), a file path, or `off` (no audit trail: tests, or logs collected elsewhere). */
function readAuditLog(env: Env, cwd: string): string | null | undefined {
  const value = nonEmpty(env['MCP_AUDIT_LOG']);
  if (value === 'off') return null;
  if (value === undefined || value === 'stderr') return value;
  const file = path.resolve(cwd, value);
  const dir = path.dirname(file);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new Error(`MCP_AUDIT_LOG: directory ${dir} does not exist (give "stderr", "off" or a file path in an existing directory)`);
  return file;
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

/**
 * Fallback base URLs. `MCP_FALLBACK_BASE_URLS` (comma-separated) always applies. Without it, the
 * definition's other absolute base URLs are used, but only when `API_BASE_URL` is not set: an
 * operator who points the server at one upstream (say staging) must never find calls quietly
 * sent to another one (production) because the first was down.
 */
function readFallbackBaseUrls(definition: ServerDefinition, env: Env, primary: string | undefined): string[] {
  const explicit = readList(env, 'MCP_FALLBACK_BASE_URLS');
  if (explicit.length > 0) {
    const bad = explicit.filter((url) => !isAbsoluteHttpUrl(url));
    if (bad.length > 0) throw new Error(`MCP_FALLBACK_BASE_URLS must list absolute http(s) URLs, got "${bad.join('", "')}"`);
    return explicit.filter((url) => url !== primary);
  }
  if (nonEmpty(env['API_BASE_URL']) !== undefined) return [];
  return definition.baseUrls.slice(1).filter((url) => isAbsoluteHttpUrl(url) && url !== primary);
}

export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** One of a closed set of words, in any case (`MCP_TRANSPORT=HTTP`, `MCP_MODE=Dynamic`). */
function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name} must be ${choices.map((c) => `"${c}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, got "${raw}"`);
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

function readList(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * A tool's deadline, and its per-attempt timeout when it differs from the server's. A tool with
 * its own `timeout` (x-mcp or tool spec) gets that as its deadline; each attempt may use all of it
 * unless an attempt timeout was set apart from the deadline (MCP_ATTEMPT_TIMEOUT_MS), which still
 * bounds every attempt.
 */
export function toolTimeouts(config: RuntimeConfig, toolTimeoutMs: number | undefined): { timeoutMs: number; attemptTimeoutMs?: number } {
  if (toolTimeoutMs === undefined) return { timeoutMs: config.timeoutMs };
  const attemptTimeoutMs = config.attemptTimeoutMs < config.timeoutMs ? Math.min(config.attemptTimeoutMs, toolTimeoutMs) : toolTimeoutMs;
  return { timeoutMs: toolTimeoutMs, attemptTimeoutMs };
}

function redisUrlOf(env: Env): string | undefined {
  const url = nonEmpty(env['MCP_REDIS_URL']);
  if (url !== undefined && !/^rediss?:\/\//i.test(url)) throw new Error(`MCP_REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  return url;
}
