/**
 * Who is calling, on the HTTP transport: bearer JWTs verified with jose against an HS256 secret,
 * a PEM public key or a JWKS URL (issuer and audience checked when configured, expiry always).
 * stdio is local and has no inbound auth. Loaded only when MCP_AUTH_* is configured (jose is
 * not small); what the caller's roles grant is roles.ts.
 */
import { createPublicKey } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { InboundAuthConfig } from '../config.js';

import type { Principal } from './roles.js';

export type { Principal };

export type Verification = { ok: true; principal: Principal; token: string; expiresAt?: number } | { ok: false; tokenPresented: boolean; reason: string };

export class InboundAuth {
  private readonly key: Uint8Array | ReturnType<typeof createPublicKey> | JWTVerifyGetKey;

  constructor(private readonly config: InboundAuthConfig) {
    const key = config.key;
    this.key =
      key.kind === 'secret'
        ? new TextEncoder().encode(key.secret)
        : key.kind === 'publicKey'
          ? createPublicKey(key.pem)
          : createRemoteJWKSet(new URL(key.url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  }

  /** Checks an `Authorization` header value. The reason never contains the token. */
  async verify(authorization: string | undefined): Promise<Verification> {
    const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, tokenPresented: authorization !== undefined, reason: authorization === undefined ? 'no bearer token' : 'malformed Authorization header' };
    const token = match[1]!;
    try {
      const options = {
        ...(this.config.issuer ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        // Symmetric secrets only ever sign HS256 here; asymmetric keys decide by their type.
        ...(this.config.key.kind === 'secret' ? { algorithms: ['HS256'] } : {}),
        requiredClaims: ['exp'],
      };
      const { payload } =
        typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key as Uint8Array, options);
      const principal = { subject: typeof payload.sub === 'string' ? payload.sub : 'anonymous', roles: rolesOf(payload, this.config.rolesClaim) };
      return { ok: true, token, principal, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}) };
    } catch (err) {
      return { ok: false, tokenPresented: true, reason: describe(err) };
    }
  }
}

/** Why a token was refused, for the 401 and the log: names claims, never quotes the token. */
function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    // Single quotes: the reason also goes into a quoted WWW-Authenticate parameter.
    return err.reason === 'missing' ? `token has no '${err.claim}' claim` : `token claim '${err.claim}' is not valid`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature does not verify';
  if (err instanceof joseErrors.JOSEError) return `token not accepted (${err.code})`;
  return 'token not accepted';
}

/** An array claim, or a space-separated string (OAuth `scope` style). */
function rolesOf(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}
