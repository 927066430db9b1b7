/**
 * OAuth 2.0 Token Exchange (RFC 8693): the caller's validated token is traded at
 * MCP_TOKEN_EXCHANGE_URL for one meant for the upstream API. The MCP authorization spec forbids
 * passing the caller's own token upstream (wrong audience, confused deputy), so a failed exchange
 * is a tool error and never falls back to it. The protocol work is oauth4webapi's, loaded only by
 * servers that exchange.
 */
import { createHash } from 'node:crypto';
import type { TokenExchangeConfig } from '../config.js';
import { AuthError, describeUrl } from './auth.js';
import type { FetchLike } from './auth.js';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The caller, as the inbound transport verified it. */
export interface SubjectToken {
  token: string;
  /** Expiry of the caller's token (epoch seconds): an exchanged token is never kept past it. */
  expiresAt?: number | undefined;
}

export interface TokenExchangeOptions {
  fetchImpl?: FetchLike;
  now?: () => number;
  /** Trade again this long before the exchanged token expires. */
  skewMs?: number;
  /** Lifetime assumed when the answer has no `expires_in`. */
  defaultLifetimeMs?: number;
  /** Most exchanged tokens kept at once; the oldest go first. */
  maxEntries?: number;
  /** How long one exchange may take. */
  timeoutMs?: number;
}

interface Exchanged {
  token: string;
  expiresAt: number;
}

export class TokenExchange {
  // Keyed by a hash of the subject token: the caller's token itself is never kept as a key.
  private readonly cache = new Map<string, Exchanged>();
  private readonly pending = new Map<string, Promise<Exchanged>>();
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly skewMs: number;
  private readonly defaultLifetimeMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: TokenExchangeConfig,
    options: TokenExchangeOptions = {},
  ) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? Date.now;
    this.skewMs = options.skewMs ?? 30_000;
    this.defaultLifetimeMs = options.defaultLifetimeMs ?? 300_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A token for the upstream on behalf of `subject`, from the cache while it is fresh. */
  async tokenFor(subject: SubjectToken, signal?: AbortSignal): Promise<string> {
    const key = createHash('sha256').update(subject.token).digest('base64url');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    this.cache.delete(key);
    let request = this.pending.get(key);
    if (!request) {
      // Shared by every call of this caller that arrives meanwhile, so it runs under its own
      // timeout, not the first call's deadline: one call's cancellation must not fail the others.
      request = this.exchange(subject, AbortSignal.timeout(this.timeoutMs))
        .then((fresh) => {
          if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
          this.cache.set(key, fresh);
          return fresh;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    return (await raceSignal(request, signal)).token;
  }

  private async exchange(subject: SubjectToken, signal: AbortSignal): Promise<Exchanged> {
    const oauth = await import('oauth4webapi');
    const { url, clientId, clientSecret, audience, scope } = this.config;
    const server = { issuer: new URL(url).origin, token_endpoint: url };
    const client = { client_id: clientId };
    const parameters = new URLSearchParams({ subject_token: subject.token, subject_token_type: ACCESS_TOKEN_TYPE, requested_token_type: ACCESS_TOKEN_TYPE });
    if (audience) parameters.set('audience', audience);
    if (scope) parameters.set('scope', scope);
    const where = describeUrl(url);
    let answer;
    try {
      const response = await oauth.genericTokenEndpointRequest(server, client, oauth.ClientSecretBasic(clientSecret), GRANT_TYPE, parameters, {
        signal,
        [oauth.customFetch]: this.fetchImpl,
        // Plain http is the operator's choice (an in-cluster endpoint); start-up warns about it.
        [oauth.allowInsecureRequests]: new URL(url).protocol === 'http:',
      });
      answer = await oauth.processGenericTokenEndpointResponse(server, client, response);
    } catch (err) {
      if (signal.aborted) throw new AuthError(`Token exchange at ${where} did not answer within ${this.timeoutMs} ms.`);
      throw new AuthError(`Token exchange at ${where} failed: ${reasonOf(err, oauth.ResponseBodyError)}. The caller's own token is never sent upstream instead.`);
    }
    // A DPoP-bound token would need a proof with every request; only bearer tokens are sent.
    if (answer.token_type !== 'bearer' && answer.token_type !== 'n_a') {
      throw new AuthError(`Token exchange at ${where} returned a ${answer.token_type} token; this server sends bearer tokens only.`);
    }
    const lifetimeMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1000 : this.defaultLifetimeMs;
    const own = this.now() + lifetimeMs - this.skewMs;
    const callers = subject.expiresAt === undefined ? Infinity : subject.expiresAt * 1000;
    return { token: answer.access_token, expiresAt: Math.min(own, callers) };
  }
}

/** `promise`, unless `signal` aborts first (then its reason, as an aborted fetch would throw). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** The standard error fields of a refusal, or the transport's reason; never a token. */
function reasonOf(err: unknown, ResponseBodyError: new (...args: never[]) => Error): string {
  if (err instanceof ResponseBodyError) {
    const refusal = err as Error & { status: number; error: string; error_description?: string };
    return `HTTP ${refusal.status} (${[refusal.error, refusal.error_description].filter(Boolean).join(': ')})`;
  }
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
