/**
 * OpenAPI security schemes → the IR's upstream auth schemes, with the env var names that hold
 * their secrets (`<PREFIX>_<SCHEME>…`). Unsupported schemes are reported, never guessed.
 */
import type { AuthScheme } from '../../runtime/definition.js';
import type { Diagnostic } from '../../diagnostics.js';
import { envName } from '../naming.js';
import { deref } from './schema.js';

interface RawScheme {
  type?: string;
  in?: string;
  name?: string;
  scheme?: string;
  description?: string;
  flows?: { clientCredentials?: { tokenUrl?: string; scopes?: Record<string, string> } };
}

export function lowerSecuritySchemes(doc: Record<string, unknown>, envPrefix: string, warnings: Diagnostic[]): Map<string, AuthScheme> {
  const out = new Map<string, AuthScheme>();
  const raw = ((doc.components as Record<string, unknown> | undefined)?.securitySchemes ?? {}) as Record<string, unknown>;
  for (const id of Object.keys(raw)) {
    const at = ['components', 'securitySchemes', id];
    const s = deref({ doc }, raw[id] as RawScheme, at);
    const base = { id, ...(typeof s.description === 'string' && s.description ? { description: s.description } : {}) };
    // `petstore_auth` in the Petstore API → PETSTORE_AUTH_…, not PETSTORE_PETSTORE_AUTH_….
    const own = envName(id);
    const stem = own === envPrefix || own.startsWith(`${envPrefix}_`) ? [own] : [envPrefix, own];
    const env = (...suffix: string[]) => envName(...stem, ...suffix);
    const scheme = s.scheme?.toLowerCase();
    if (s.type === 'apiKey' && (s.in === 'header' || s.in === 'query' || s.in === 'cookie') && typeof s.name === 'string') {
      out.set(id, { ...base, type: 'apiKey', in: s.in, name: s.name, env: /KEY|TOKEN/.test(env()) ? env() : env('KEY') });
    } else if (s.type === 'http' && scheme === 'bearer') {
      out.set(id, { ...base, type: 'bearer', env: /TOKEN$/.test(env()) ? env() : env('TOKEN') });
    } else if (s.type === 'http' && scheme === 'basic') {
      out.set(id, { ...base, type: 'basic', usernameEnv: env('USERNAME'), passwordEnv: env('PASSWORD') });
    } else if (s.type === 'oauth2' && typeof s.flows?.clientCredentials?.tokenUrl === 'string') {
      const cc = s.flows.clientCredentials;
      out.set(id, {
        ...base,
        type: 'oauth2ClientCredentials',
        tokenUrl: cc.tokenUrl!,
        scopes: Object.keys(cc.scopes ?? {}).sort(),
        clientIdEnv: env('CLIENT_ID'),
        clientSecretEnv: env('CLIENT_SECRET'),
      });
    } else {
      warnings.push({
        message: `security scheme "${id}" (${[s.type, scheme].filter(Boolean).join(' ')}) is not supported; operations that can only use it are called without credentials`,
        pointer: at,
        fix: 'supported: apiKey, http bearer, http basic, oauth2 client credentials',
      });
    }
  }
  return out;
}

/** Security requirements → alternatives of supported scheme ids (`[]` = anonymous allowed). */
export function lowerRequirements(requirements: unknown, schemes: Map<string, AuthScheme>): string[][] {
  if (!Array.isArray(requirements)) return [];
  const alternatives: string[][] = [];
  for (const req of requirements) {
    if (!req || typeof req !== 'object') continue;
    const ids = Object.keys(req);
    if (ids.every((id) => schemes.has(id))) alternatives.push(ids);
  }
  // Only unsupported alternatives left: call without credentials rather than refuse every call.
  return alternatives;
}
