/**
 * A tool spec's `config:` (defaults for the server's tuning) and `sources:` (the HTTP upstreams
 * and SQL databases its tools use, with their auth) → the definition's parts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { AuthScheme, HttpSource, SpecConfig, SqlDialect, SqlSource } from '../../runtime/definition.js';
import { durationMs } from '../duration.js';
import { checkTemplate, soleEnvReference, type TemplateScope } from './template-check.js';

type Pointer = readonly (string | number)[];
type Obj = Record<string, unknown>;

/** A valid HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that carry credentials: their values must come from the environment, never the spec. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;

/** Files copied into the project as they are (project-relative path → contents). */
export type Assets = Array<{ path: string; contents: string }>;

export function lowerConfig(config: Obj): SpecConfig {
  const retry = (config.retry ?? {}) as Obj;
  const breaker = (config.breaker ?? {}) as Obj;
  const out: SpecConfig = {};
  if (typeof config.timeout === 'string') out.timeoutMs = durationMs(config.timeout);
  if (typeof config.maxConcurrentTools === 'number') out.maxConcurrentTools = config.maxConcurrentTools;
  if (typeof config.maxResponseBytes === 'number') out.maxResponseBytes = config.maxResponseBytes;
  if (config.retry) {
    out.retry = {
      ...(typeof retry.attempts === 'number' ? { attempts: retry.attempts } : {}),
      ...(typeof retry.initialDelay === 'string' ? { initialDelayMs: durationMs(retry.initialDelay) } : {}),
      ...(typeof retry.maxDelay === 'string' ? { maxDelayMs: durationMs(retry.maxDelay) } : {}),
    };
  }
  if (config.breaker) {
    out.circuitBreaker = {
      ...(typeof breaker.threshold === 'number' ? { threshold: breaker.threshold } : {}),
      ...(typeof breaker.cooldown === 'string' ? { cooldownMs: durationMs(breaker.cooldown) } : {}),
    };
  }
  return out;
}

export interface LoweredSources {
  http?: Record<string, HttpSource>;
  sql?: Record<string, SqlSource>;
}

export function lowerSources(raw: Obj, auth: AuthScheme[], errors: Diagnostic[], assets: Assets, specDir: string): LoweredSources {
  const http: Record<string, HttpSource> = {};
  const sql: Record<string, SqlSource> = {};
  const envScope: TemplateScope = { roots: [], args: new Set(), env: true };
  for (const [name, value] of Object.entries(raw)) {
    const at = ['sources', name];
    const source = value as Obj;
    if (source.http) {
      const h = source.http as Obj;
      const baseUrl = String(h.baseUrl);
      errors.push(...checkTemplate(baseUrl, envScope, [...at, 'http', 'baseUrl']));
      if (!baseUrl.includes('${') && !/^https?:\/\/[^/]/i.test(baseUrl)) {
        errors.push({ message: `baseUrl ${JSON.stringify(baseUrl)} is not an http(s) URL`, pointer: [...at, 'http', 'baseUrl'], fix: 'write https://host/path' });
      }
      const headers = (h.headers ?? {}) as Record<string, string>;
      for (const [header, text] of Object.entries(headers)) {
        const hp = [...at, 'http', 'headers', header];
        if (!HEADER_NAME.test(header)) errors.push({ message: `${JSON.stringify(header)} is not a valid header name`, pointer: hp });
        errors.push(...checkTemplate(text, envScope, hp));
        if (SECRET_HEADER.test(header) && !text.includes('${')) {
          errors.push({ message: `header ${header} holds a literal secret`, pointer: hp, fix: `read it from the environment: ${header}: "\${${name.toUpperCase()}_TOKEN}"` });
        }
      }
      const security: string[][] = [];
      if (h.auth) {
        const scheme = lowerAuth(name, h.auth as Obj, [...at, 'http', 'auth'], errors);
        if (scheme) {
          auth.push(scheme);
          security.push([scheme.id]);
        }
      }
      http[name] = { baseUrl, baseUrlEnv: `${name.toUpperCase()}_BASE_URL`, ...(Object.keys(headers).length ? { headers } : {}), security };
    } else if (source.sql) {
      const s = source.sql as Obj;
      const url = String(s.url);
      errors.push(...checkTemplate(url, envScope, [...at, 'sql', 'url']));
      if (/^postgres(ql)?:\/\/[^/@]*:[^/@]+@/i.test(url)) {
        errors.push({ message: 'the SQL url holds a password', pointer: [...at, 'sql', 'url'], fix: 'read it from the environment: url: "${DATABASE_URL}"' });
      }
      const dialects = (s.dialects as SqlDialect[] | undefined) ?? inferDialects(url);
      const lowered: SqlSource = { url, dialects };
      if (typeof s.seed === 'string') {
        const file = path.resolve(specDir, s.seed);
        try {
          const target = `data/${path.basename(file)}`;
          assets.push({ path: target, contents: readFileSync(file, 'utf8') });
          lowered.seed = target;
        } catch {
          errors.push({ message: `seed file ${s.seed} cannot be read (looked in ${file})`, pointer: [...at, 'sql', 'seed'], fix: 'the path is relative to the spec file' });
        }
      }
      sql[name] = lowered;
    }
  }
  return { ...(Object.keys(http).length ? { http } : {}), ...(Object.keys(sql).length ? { sql } : {}) };
}

function inferDialects(url: string): SqlDialect[] {
  if (/^sqlite:/i.test(url)) return ['sqlite'];
  if (/^postgres(ql)?:/i.test(url)) return ['postgresql'];
  // A template such as ${DATABASE_URL:-sqlite:…} may become either at run time.
  return ['sqlite', 'postgresql'];
}

/** Secrets must come from the environment: `token: "${WEATHER_TOKEN}"`. */
function lowerAuth(source: string, raw: Obj, at: Pointer, errors: Diagnostic[]): AuthScheme | undefined {
  const env = (key: string): string | undefined => {
    const text = raw[key];
    if (typeof text !== 'string') {
      errors.push({ message: `auth type ${String(raw.type)} needs "${key}"`, pointer: at, fix: `add ${key}: "\${${source.toUpperCase()}_${key.toUpperCase()}}"` });
      return undefined;
    }
    const name = soleEnvReference(text);
    if (!name) {
      errors.push({ message: `auth ${key} must be an environment variable reference, not a literal secret`, pointer: [...at, key], fix: `write ${key}: "\${${source.toUpperCase()}_${key.toUpperCase()}}" and set that variable` });
    }
    return name;
  };
  switch (raw.type) {
    case 'bearer': {
      const token = env('token');
      return token ? { id: source, type: 'bearer', env: token } : undefined;
    }
    case 'apiKey': {
      const value = env('value');
      if (typeof raw.name !== 'string') {
        errors.push({ message: 'auth type apiKey needs "name" (the header, query parameter or cookie name)', pointer: at });
        return undefined;
      }
      return value ? { id: source, type: 'apiKey', in: (raw.in as 'header' | 'query' | 'cookie' | undefined) ?? 'header', name: raw.name, env: value } : undefined;
    }
    case 'basic': {
      const username = env('username');
      const password = env('password');
      return username && password ? { id: source, type: 'basic', usernameEnv: username, passwordEnv: password } : undefined;
    }
    default:
      return undefined;
  }
}
