/**
 * Upstream authentication. Secrets are read from the environment at call time and only ever
 * placed into the outgoing request; they never appear in errors or log fields.
 */
import type { Env } from '../config.js';
import type {
  AuthScheme,
  OAuth2ClientCredentialsAuth,
} from '../definition.js';
import { encodeStrict, setCookieHeader } from './request.js';
import type { BuiltRequest } from './request.js';
import type { SubjectToken, TokenExchange } from './token-exchange.js';

export type FetchLike = typeof fetch;

/** What a security alternative adds to a request. */
export interface AuthAdditions {
  headers: Record<string, string>;
  /** Encoded `name=value` query parts. */
  query: string[];
  /** Encoded `name=value` cookie pairs. */
  cookies: string[];
  /**
   * Set when the operation wants credentials and none are configured: the request still goes
   * out (many APIs answer some calls anonymously) and this hint is added if it is refused.
   */
  missing?: string;
}

export interface ApplyAuthInput {
  /** Alternatives of scheme ids; `[]` inside means "no auth is acceptable". */
  security: string[][];
  schemes: readonly AuthScheme[];
  env: Env;
  fetchImpl?: FetchLike;
  /** Token cache; defaults to one shared by the whole process. */
  tokens?: OAuth2TokenCache;
  /** Cancels a token request together with the tool call. */
  signal?: AbortSignal;
  /** Upstream base URL: a relative OAuth2 `tokenUrl` resolves against it (OpenAPI 3.x). */
  baseUrl?: string;
}

/** Missing or rejected credentials; reported to the model as a tool error. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** What a request to `baseUrl` needing `security` carries; one per tool call, bound to its caller and deadline. */
export type Credentials = (security: string[][], baseUrl: string) => Promise<AuthAdditions>;

/**
 * With token exchange, an operation that wants credentials gets a token traded for the caller's
 * (each user acts upstream as themselves, through a token meant for the upstream); a call
 * without a verified caller is refused rather than sent with the server's own credentials.
 * Otherwise the configured credentials.
 */
export async function upstreamCredentials(
  input: ApplyAuthInput,
  exchange: { exchange: TokenExchange; caller: SubjectToken | undefined } | undefined,
): Promise<AuthAdditions> {
  if (!exchange || !input.security.some((alternative) => alternative.length > 0)) return applyAuth(input);
  if (!exchange.caller) {
    throw new AuthError("This server acts upstream on behalf of its callers (MCP_TOKEN_EXCHANGE_URL), and this call has no verified caller token.");
  }
  const token = await exchange.exchange.tokenFor(exchange.caller, input.signal);
  return { headers: { authorization: `Bearer ${token}` }, query: [], cookies: [] };
}

export function emptyAdditions(): AuthAdditions {
  return { headers: {}, query: [], cookies: [] };
}

/**
 * Picks the first alternative whose secrets are all configured and returns what it adds.
 * With no security requirements, or none configured but an empty alternative present, the
 * request goes out unauthenticated.
 */
export async function applyAuth(input: ApplyAuthInput): Promise<AuthAdditions> {
  const additions = emptyAdditions();
  if (input.security.length === 0) return additions;

  const byId = new Map(input.schemes.map((scheme) => [scheme.id, scheme]));
  for (const alternative of input.security) {
    if (alternative.length === 0) continue;
    const schemes = alternative.map((id) => byId.get(id));
    if (!schemes.every((s): s is AuthScheme => s !== undefined && isConfigured(s, input.env))) continue;
    for (const scheme of schemes) await addScheme(scheme, input, additions);
    return additions;
  }

  if (input.security.some((alternative) => alternative.length === 0)) return additions;
  return { ...additions, missing: missingCredentialsMessage(input.security, byId) };
}

/** Adds auth to a built request in place (headers, query string, cookie header). */
export function mergeAuth(request: BuiltRequest, additions: AuthAdditions): BuiltRequest {
  Object.assign(request.headers, additions.headers);
  if (additions.query.length > 0) {
    const hashAt = request.url.indexOf('#');
    const url = hashAt >= 0 ? request.url.slice(0, hashAt) : request.url;
    request.url = `${url}${url.includes('?') ? '&' : '?'}${additions.query.join('&')}`;
  }
  if (additions.cookies.length > 0) {
    request.cookies.push(...additions.cookies);
    setCookieHeader(request);
  }
  return request;
}

// Secrets pasted from files often carry a trailing newline, which HTTP clients reject in headers.
function secret(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Env vars a scheme needs, for the "please configure" message. */
export function requiredEnv(scheme: AuthScheme): string[] {
  switch (scheme.type) {
    case 'apiKey':
    case 'bearer':
      return [scheme.env];
    case 'basic':
      return [scheme.usernameEnv, scheme.passwordEnv];
    case 'oauth2ClientCredentials':
      return [scheme.clientIdEnv, scheme.clientSecretEnv];
  }
}

function isConfigured(scheme: AuthScheme, env: Env): boolean {
  // Basic auth counts as configured with a username alone: several APIs take the key as the
  // username and an empty password.
  if (scheme.type === 'basic') return secret(env, scheme.usernameEnv) !== undefined;
  return requiredEnv(scheme).every((name) => secret(env, name) !== undefined);
}

async function addScheme(scheme: AuthScheme, input: ApplyAuthInput, out: AuthAdditions): Promise<void> {
  const env = input.env;
  switch (scheme.type) {
    case 'apiKey': {
      const key = secret(env, scheme.env) ?? '';
      if (scheme.in === 'header') out.headers[scheme.name.toLowerCase()] = key;
      else if (scheme.in === 'query') out.query.push(`${encodeStrict(scheme.name)}=${encodeStrict(key)}`);
      else out.cookies.push(`${encodeStrict(scheme.name)}=${encodeStrict(key)}`);
      return;
    }
    case 'bearer':
      out.headers['authorization'] = `Bearer ${secret(env, scheme.env) ?? ''}`;
      return;
    case 'basic': {
      const user = secret(env, scheme.usernameEnv) ?? '';
      const password = secret(env, scheme.passwordEnv) ?? '';
      out.headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
      return;
    }
    case 'oauth2ClientCredentials': {
      const tokens = input.tokens ?? defaultTokenCache;
      const tokenUrl = input.baseUrl ? new URL(scheme.tokenUrl, `${input.baseUrl.replace(/\/+$/, '')}/`).toString() : scheme.tokenUrl;
      const token = await tokens.getToken(
        { ...scheme, tokenUrl },
        { clientId: secret(env, scheme.clientIdEnv) ?? '', clientSecret: secret(env, scheme.clientSecretEnv) ?? '' },
        { fetchImpl: input.fetchImpl ?? fetch, signal: input.signal },
      );
      out.headers['authorization'] = `Bearer ${token}`;
      return;
    }
  }
}

function missingCredentialsMessage(security: string[][], byId: Map<string, AuthScheme>): string {
  const options = security.map((alternative) => {
    const parts = alternative.map((id) => {
      const scheme = byId.get(id);
      return scheme ? requiredEnv(scheme).join(' and ') : `(undefined scheme "${id}")`;
    });
    return parts.join(' and ');
  });
  const list = options.length === 1 ? options[0] : options.map((o, i) => `(${i + 1}) ${o}`).join('; or ');
  return `No credentials are configured for this API; set ${list}.`;
}

// ---------------------------------------------------------------------------------------------
// OAuth2 client credentials

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface OAuth2TokenCacheOptions {
  /** Clock in ms; injectable so expiry can be tested without waiting. */
  now?: () => number;
  /** Refresh this long before `expires_in` runs out. */
  skewMs?: number;
  /** Lifetime assumed when the token response has no `expires_in`. */
  defaultLifetimeMs?: number;
}

export class OAuth2TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  // Concurrent calls share one token request instead of stampeding the token endpoint.
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly now: () => number;
  private readonly skewMs: number;
  private readonly defaultLifetimeMs: number;

  constructor(options: OAuth2TokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.skewMs = options.skewMs ?? 30_000;
    this.defaultLifetimeMs = options.defaultLifetimeMs ?? 300_000;
  }

  async getToken(
    scheme: OAuth2ClientCredentialsAuth,
    credentials: ClientCredentials,
    options: { fetchImpl: FetchLike; signal?: AbortSignal | undefined },
  ): Promise<string> {
    const key = [scheme.tokenUrl, scheme.scopes.join(' '), credentials.clientId, credentials.clientSecret].join('\n');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;

    let request = this.pending.get(key);
    if (!request) {
      request = this.fetchToken(scheme, credentials, options).finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    const fresh = await request;
    this.tokens.set(key, fresh);
    return fresh.token;
  }

  clear(): void {
    this.tokens.clear();
  }

  private async fetchToken(
    scheme: OAuth2ClientCredentialsAuth,
    credentials: ClientCredentials,
    options: { fetchImpl: FetchLike; signal?: AbortSignal | undefined },
  ): Promise<CachedToken> {
    // RFC 6749 §2.3.1: id and secret are form-encoded before being joined for Basic auth.
    const basic = Buffer.from(
      `${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`,
      'utf8',
    ).toString('base64');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scheme.scopes.length > 0) form.set('scope', scheme.scopes.join(' '));

    const where = describeUrl(scheme.tokenUrl);
    let response: Response;
    try {
      response = await options.fetchImpl(scheme.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new AuthError(`OAuth2 token request to ${where} failed: ${reason}`);
    }

    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Non-JSON answers are reported by status below.
    }
    if (!response.ok) {
      // Only the standard error fields are echoed, never the raw body.
      const detail = [body['error'], body['error_description']].filter((v) => typeof v === 'string').join(': ');
      throw new AuthError(
        `OAuth2 token request to ${where} failed: HTTP ${response.status}${detail ? ` (${detail})` : ''}`,
      );
    }
    const token = body['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new AuthError(`OAuth2 token response from ${where} has no access_token`);
    }
    const expiresIn = Number(body['expires_in']);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : this.defaultLifetimeMs;
    return { token, expiresAt: this.now() + lifetimeMs - this.skewMs };
  }
}

const defaultTokenCache = new OAuth2TokenCache();

function formEncode(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

/** Origin and path only: query strings may carry credentials. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
