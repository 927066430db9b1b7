/**
 * A checked tool spec document → the server definition (the same IR OpenAPI lowers into), plus
 * the files the project needs besides it (SQL seeds) and the npm packages handlers import.
 * Every problem is collected with its pointer, so one run reports them all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Diagnostic } from '../../diagnostics.js';
import type {
  AuthScheme,
  HttpMethod,
  HttpSource,
  JsonSchema,
  PromptDefinition,
  RequestStep,
  ResourceDefinition,
  ServerDefinition,
  SpecConfig,
  SqlDialect,
  SqlSource,
  ToolAnnotations,
  ToolBinding,
  ToolDefinition,
} from '../../runtime/definition.js';
import { checkSchema, paramsToSchema } from './tool-schema.js';
import { checkExpression, checkTemplate, soleEnvReference } from './template-check.js';
import type { TemplateScope } from './template-check.js';

type Pointer = readonly (string | number)[];
type Obj = Record<string, unknown>;

export interface LoweredToolSpec {
  definition: ServerDefinition;
  warnings: Diagnostic[];
  errors: Diagnostic[];
  /** Files copied into the project as they are (project-relative path → contents). */
  assets: Array<{ path: string; contents: string }>;
  /** npm packages the user's handlers import, and their build-time companions (types). */
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export interface ToolSpecOptions {
  /** Path of the spec file: seeds and resource files resolve against its directory. */
  specPath: string;
  name?: string;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const KINDS = ['http', 'sql', 'expression', 'handler', 'builtin'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token)$/i;
const EXPRESSION_OUTPUT: JsonSchema = {
  type: 'object',
  properties: { expression: { type: 'string' }, result: { type: 'number' } },
  required: ['expression', 'result'],
};
const DEFAULT_MAX_ROWS = 100;
const DEFAULT_EXPRESSION_LENGTH = 1000;

const SQL_OUTPUT: JsonSchema = {
  type: 'object',
  properties: {
    columns: { type: 'array', items: { type: 'string' } },
    rows: { type: 'array', items: { type: 'object' } },
    row_count: { type: 'integer' },
    truncated: { type: 'boolean' },
  },
  required: ['columns', 'rows', 'row_count', 'truncated'],
};

export async function lowerToolSpec(spec: Obj, options: ToolSpecOptions): Promise<LoweredToolSpec> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const assets: LoweredToolSpec['assets'] = [];
  const specDir = path.dirname(path.resolve(options.specPath));

  const server = spec.server as Obj;
  const name = options.name ?? String(server.name);
  const envPrefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'MCP';
  const auth: AuthScheme[] = [];
  const sources = lowerSources((spec.sources ?? {}) as Obj, auth, errors, assets, specDir);

  const tools: ToolDefinition[] = [];
  for (const [toolName, raw] of Object.entries((spec.tools ?? {}) as Obj)) {
    const tool = await lowerTool(toolName, raw as Obj, ['tools', toolName], sources, errors, warnings);
    if (tool) tools.push(tool);
  }

  const resources = lowerResources((spec.resources ?? {}) as Obj, errors, specDir);
  const prompts = lowerPrompts((spec.prompts ?? {}) as Obj, errors);
  const roles = lowerRoles((spec.roles ?? {}) as Record<string, string[]>, tools, errors, warnings);

  const definition: ServerDefinition = {
    formatVersion: 1,
    server: {
      name,
      version: typeof server.version === 'string' ? server.version : '1.0.0',
      ...(typeof server.title === 'string' ? { title: server.title } : {}),
      ...(typeof server.description === 'string' ? { description: server.description } : {}),
      ...(typeof server.instructions === 'string' ? { instructions: server.instructions } : {}),
      envPrefix,
    },
    baseUrls: [],
    auth,
    tools,
    ...(sources.http && Object.keys(sources.http).length ? { sources: { http: sources.http, ...(sources.sql ? { sql: sources.sql } : {}) } } : sources.sql ? { sources: { sql: sources.sql } } : {}),
    ...(resources.length ? { resources } : {}),
    ...(prompts.length ? { prompts } : {}),
    ...(Object.keys(roles).length ? { roles } : {}),
    ...(spec.config ? { config: lowerConfig(spec.config as Obj) } : {}),
  };
  return { definition, warnings, errors, assets, dependencies: (spec.dependencies ?? {}) as Record<string, string>, devDependencies: (spec.devDependencies ?? {}) as Record<string, string> };
}

// ---------------------------------------------------------------------------------------------
// config and sources

/** `250ms`, `30s`, `2m` → milliseconds (the schema has checked the form). */
/** `500ms`, `30s`, `2m`: the durations of tool specs and of `x-mcp.timeout`. */
export const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/;

export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`bad duration ${text}`);
  const factor = { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Math.round(Number(match[1]) * factor);
}

function lowerConfig(config: Obj): SpecConfig {
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

interface LoweredSources {
  http?: Record<string, HttpSource>;
  sql?: Record<string, SqlSource>;
}

function lowerSources(raw: Obj, auth: AuthScheme[], errors: Diagnostic[], assets: LoweredToolSpec['assets'], specDir: string): LoweredSources {
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

// ---------------------------------------------------------------------------------------------
// tools

async function lowerTool(
  name: string,
  raw: Obj,
  at: Pointer,
  sources: LoweredSources,
  errors: Diagnostic[],
  warnings: Diagnostic[],
): Promise<ToolDefinition | undefined> {
  const before = errors.length;
  if (!TOOL_NAME.test(name)) {
    errors.push({ message: `tool name ${JSON.stringify(name)} is not valid`, pointer: at, fix: 'use 1-64 of A-Z a-z 0-9 _ - (no dots or spaces; clients reject them)' });
  }
  const kinds = KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    errors.push({
      message: kinds.length === 0 ? `tool ${name} has no backend` : `tool ${name} has ${kinds.length} backends (${kinds.join(', ')})`,
      pointer: at,
      fix: `give it exactly one of: ${KINDS.join(', ')}`,
    });
    return undefined;
  }
  const kind = kinds[0]!;
  if (raw.params !== undefined && raw.input !== undefined) {
    errors.push({ message: `tool ${name} has both params and input`, pointer: [...at, 'input'], fix: 'keep one: params is the short form of input' });
  }

  const builtin = kind === 'builtin' ? await builtinDefaults(String((raw.builtin as Obj).name)) : undefined;
  const inputSchema: JsonSchema = raw.params
    ? paramsToSchema(raw.params as Record<string, Record<string, unknown>>)
    : ((raw.input as JsonSchema | undefined) ?? builtin?.input ?? { type: 'object', properties: {}, additionalProperties: false });
  errors.push(...checkSchema(inputSchema, [...at, raw.params ? 'params' : 'input'], 'input').map((d) => (raw.params || raw.input ? d : { ...d, pointer: at })));
  const args = new Set(Object.keys((inputSchema.properties ?? {}) as Obj));
  const requiredArgs = new Set(Array.isArray(inputSchema.required) ? (inputSchema.required as string[]) : []);

  let output = raw.output as JsonSchema | undefined;
  if (output) errors.push(...checkSchema(output, [...at, 'output'], 'output'));
  output ??= kind === 'sql' ? SQL_OUTPUT : kind === 'expression' ? EXPRESSION_OUTPUT : builtin?.output;

  const scope: TemplateScope = { roots: ['args'], args, env: true };
  const binding = await lowerBinding(kind, raw, at, { name, scope, requiredArgs, sources, errors, warnings });
  if (!binding || errors.length > before) return undefined;

  const annotations: ToolAnnotations = { ...defaultAnnotations(binding), ...builtin?.annotations, ...(raw.annotations as ToolAnnotations | undefined) };
  const tool: ToolDefinition = {
    name,
    ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
    description: String(raw.description),
    inputSchema,
    ...(typeof raw.timeout === 'string' ? { timeoutMs: durationMs(raw.timeout) } : {}),
    annotations: typeof raw.title === 'string' && annotations.title === undefined ? { title: raw.title, ...annotations } : annotations,
    binding,
  };
  if (output) {
    if (output.type === 'object') {
      tool.outputSchema = output;
    } else {
      // structuredContent must be an object: other results travel as { result }.
      tool.outputSchema = { type: 'object', properties: { result: output }, required: ['result'] };
      tool.wrapKey = 'result';
    }
  }
  return tool;
}

function defaultAnnotations(binding: ToolBinding): ToolAnnotations {
  switch (binding.kind) {
    case 'request': {
      const reads = binding.steps.every((s) => s.method === 'GET' || s.method === 'HEAD');
      return reads ? { readOnlyHint: true, idempotentHint: true, openWorldHint: true } : { openWorldHint: true };
    }
    case 'sql':
    case 'expression':
      return { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
    default:
      return {};
  }
}

interface BindingContext {
  name: string;
  scope: TemplateScope;
  requiredArgs: ReadonlySet<string>;
  sources: LoweredSources;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

async function lowerBinding(kind: (typeof KINDS)[number], raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
  const body = raw[kind] as Obj;
  const where = [...at, kind];
  switch (kind) {
    case 'http':
      return lowerRequest(body, where, ctx);
    case 'sql':
      return lowerSql(body, where, ctx);
    case 'expression':
      return lowerExpression(body, where, ctx);
    case 'handler':
      return { kind: 'handler', file: typeof body.file === 'string' ? body.file : ctx.name.replace(/[^A-Za-z0-9_-]/g, '_') };
    case 'builtin': {
      const builtinName = body.name as 'web.scrape' | 'http.request';
      const allowHosts = (body.allowHosts as string[] | undefined) ?? [];
      if (builtinName === 'http.request' && allowHosts.length === 0) {
        ctx.errors.push({ message: 'http.request needs allowHosts: the hosts this tool may call', pointer: where, fix: 'add allowHosts: [api.example.com]' });
      }
      return {
        kind: 'builtin',
        name: builtinName,
        allowHosts,
        denyPrivateNetworks: body.denyPrivateNetworks !== false,
        ...(typeof body.maxBytes === 'number' ? { maxBytes: body.maxBytes } : {}),
      };
    }
  }
}

function lowerRequest(raw: Obj, at: Pointer, ctx: BindingContext): ToolBinding | undefined {
  const single = raw.steps === undefined;
  const rawSteps = single ? [{ ...raw, id: 'main' }] : (raw.steps as Obj[]);
  if (single && raw.source === undefined) {
    ctx.errors.push({ message: 'an http tool needs source (or steps)', pointer: at, fix: 'add source: <name of an http source>' });
    return undefined;
  }
  if (!single) {
    for (const key of ['source', 'method', 'path', 'query', 'headers', 'body', 'bodyType', 'failIf']) {
      if (raw[key] !== undefined) ctx.errors.push({ message: `"${key}" belongs inside a step when steps are used`, pointer: [...at, key], fix: 'move it into the step' });
    }
  }
  const steps: RequestStep[] = [];
  const seen = new Set<string>();
  rawSteps.forEach((step, i) => {
    const sp = single ? at : [...at, 'steps', i];
    const id = typeof step.id === 'string' ? step.id : `step${i + 1}`;
    if (seen.has(id)) ctx.errors.push({ message: `step id ${id} is used twice`, pointer: [...sp, 'id'] });
    const scope: TemplateScope = { ...ctx.scope, roots: i === 0 ? ['args'] : ['args', 'steps', 'response'], steps: new Set(seen) };
    const lowered = lowerStep(step, id, sp, scope, ctx);
    seen.add(id);
    if (lowered) {
      if (lowered.failIf) {
        const failScope: TemplateScope = { ...scope, roots: ['args', 'steps', 'response'], steps: new Set(seen) };
        ctx.errors.push(...checkExpression(lowered.failIf.when, failScope, [...sp, 'failIf', 'when']));
        ctx.errors.push(...checkTemplate(lowered.failIf.message, failScope, [...sp, 'failIf', 'message']));
      }
      steps.push(lowered);
    }
  });
  const result = typeof raw.result === 'string' ? raw.result : undefined;
  if (result !== undefined) {
    ctx.errors.push(...checkExpression(result, { ...ctx.scope, roots: ['args', 'steps', 'response'], steps: seen }, [...at, 'result']));
  }
  return { kind: 'request', steps, ...(result !== undefined ? { result } : {}) };
}

function lowerStep(step: Obj, id: string, at: Pointer, scope: TemplateScope, ctx: BindingContext): RequestStep | undefined {
  const source = String(step.source ?? '');
  const known = Object.keys(ctx.sources.http ?? {});
  if (!known.includes(source)) {
    ctx.errors.push({
      message: step.source === undefined ? 'the step has no source' : `unknown http source ${JSON.stringify(source)}`,
      pointer: [...at, 'source'],
      fix: known.length ? `use one of: ${known.join(', ')}` : 'declare it under sources: with http: { baseUrl: … }',
    });
    return undefined;
  }
  const method = (step.method as HttpMethod | undefined) ?? 'GET';
  const path = typeof step.path === 'string' ? step.path : '';
  ctx.errors.push(...checkTemplate(path, scope, [...at, 'path']));
  for (const arg of pathArgs(path)) {
    if (scope.args.has(arg) && !ctx.requiredArgs.has(arg)) {
      ctx.errors.push({ message: `optional argument ${arg} is used in the URL path`, pointer: [...at, 'path'], fix: `make ${arg} required, or send it in query:` });
    }
  }
  for (const key of ['query', 'headers', 'body'] as const) {
    if (step[key] !== undefined) ctx.errors.push(...checkTemplate(step[key], scope, [...at, key]));
  }
  for (const header of Object.keys((step.headers ?? {}) as Obj)) {
    if (!HEADER_NAME.test(header)) ctx.errors.push({ message: `${JSON.stringify(header)} is not a valid header name`, pointer: [...at, 'headers', header] });
  }
  if (step.body !== undefined && (method === 'GET' || method === 'HEAD')) {
    ctx.errors.push({ message: `a ${method} request cannot have a body`, pointer: [...at, 'body'], fix: 'send the values in query:, or use POST' });
  }
  const failIf = step.failIf as { when: string; message: string } | undefined;
  return {
    id,
    source,
    method,
    path,
    ...(step.query !== undefined ? { query: step.query as Obj } : {}),
    ...(step.headers !== undefined ? { headers: step.headers as Obj } : {}),
    ...(step.body !== undefined ? { body: step.body } : {}),
    ...(step.bodyType !== undefined ? { bodyType: step.bodyType as 'json' | 'form' } : {}),
    ...(failIf ? { failIf } : {}),
  };
}

/** Argument names a path template reads directly (`${args.x}`). */
function pathArgs(path: string): string[] {
  return [...path.matchAll(/\$\{\s*args\.([A-Za-z_][A-Za-z0-9_]*)\s*\}/g)].map((m) => m[1]!);
}

async function lowerSql(raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
  const sourceName = String(raw.source);
  const source = ctx.sources.sql?.[sourceName];
  if (!source) {
    const known = Object.keys(ctx.sources.sql ?? {});
    ctx.errors.push({ message: `unknown sql source ${JSON.stringify(sourceName)}`, pointer: [...at, 'source'], fix: known.length ? `use one of: ${known.join(', ')}` : 'declare it under sources: with sql: { url: … }' });
    return undefined;
  }
  if ((raw.statement === undefined) === (raw.query === undefined)) {
    ctx.errors.push({ message: 'an sql tool needs exactly one of statement (fixed SQL) and query (caller SQL)', pointer: at });
    return undefined;
  }
  const maxRows = raw.maxRows ?? DEFAULT_MAX_ROWS;
  if (typeof maxRows === 'string') ctx.errors.push(...checkTemplate(maxRows, ctx.scope, [...at, 'maxRows']));
  else if (typeof maxRows === 'number' && (maxRows < 1 || maxRows > 1000)) ctx.errors.push({ message: `maxRows ${maxRows} is outside 1..1000`, pointer: [...at, 'maxRows'] });

  if (raw.query !== undefined) {
    ctx.errors.push(...checkTemplate(raw.query, ctx.scope, [...at, 'query']));
    return { kind: 'sql', source: sourceName, query: String(raw.query), maxRows };
  }
  const { checkReadOnlySql, statementParams } = await import('../../runtime/kinds/sql-check.js');
  const statements: Partial<Record<SqlDialect, string>> = {};
  const given = raw.statement;
  for (const dialect of source.dialects) {
    const text = typeof given === 'string' ? given : (given as Partial<Record<SqlDialect, string>>)[dialect];
    const sp = typeof given === 'string' ? [...at, 'statement'] : [...at, 'statement', dialect];
    if (text === undefined) {
      ctx.errors.push({ message: `no ${dialect} statement, but source ${sourceName} may be ${dialect}`, pointer: [...at, 'statement'], fix: `add statement.${dialect}, or set dialects on the source` });
      continue;
    }
    const check = checkReadOnlySql(text, [dialect]);
    if (!check.ok) ctx.errors.push({ message: `${dialect} statement: ${check.message}`, pointer: sp, fix: 'sql tools are read-only: write one SELECT' });
    for (const param of statementParams(text)) {
      if (!ctx.scope.args.has(param)) ctx.errors.push({ message: `:${param} is not a declared argument`, pointer: sp, fix: `add ${param} under params:` });
    }
    statements[dialect] = text;
  }
  return { kind: 'sql', source: sourceName, statement: statements, maxRows };
}

async function lowerExpression(raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
  const { ALLOWED_FUNCTIONS, ALLOWED_CONSTANTS } = await import('../../runtime/kinds/expression.js');
  const pick = (key: 'functions' | 'constants', allowed: readonly string[]): string[] => {
    const list = (raw[key] as string[] | undefined) ?? [...allowed];
    list.forEach((item, i) => {
      if (!allowed.includes(item)) ctx.errors.push({ message: `${JSON.stringify(item)} is not an allowed ${key.slice(0, -1)}`, pointer: [...at, key, i], fix: `allowed: ${allowed.join(', ')}` });
    });
    return list;
  };
  const functions = pick('functions', ALLOWED_FUNCTIONS);
  const constants = pick('constants', ALLOWED_CONSTANTS);
  ctx.errors.push(...checkTemplate(raw.input, ctx.scope, [...at, 'input']));
  if (raw.precision !== undefined) ctx.errors.push(...checkTemplate(raw.precision, ctx.scope, [...at, 'precision']));
  return {
    kind: 'expression',
    input: String(raw.input),
    ...(raw.precision !== undefined ? { precision: raw.precision } : {}),
    functions,
    constants,
    maxLength: typeof raw.maxLength === 'number' ? raw.maxLength : DEFAULT_EXPRESSION_LENGTH,
  };
}

async function builtinDefaults(name: string): Promise<{ input: JsonSchema; output: JsonSchema; annotations: ToolAnnotations } | undefined> {
  const { BUILTIN_SCHEMAS } = await import('../../runtime/kinds/web-schemas.js');
  return (BUILTIN_SCHEMAS as Record<string, { input: JsonSchema; output: JsonSchema; annotations: ToolAnnotations }>)[name];
}

// ---------------------------------------------------------------------------------------------
// resources, prompts, roles

const BUILTIN_URIS = ['config://server/settings', 'metrics://server/stats', 'logs://server/recent'];
const MIME_BY_EXTENSION: Record<string, string> = { '.md': 'text/markdown', '.json': 'application/json', '.yaml': 'application/yaml', '.yml': 'application/yaml', '.csv': 'text/csv', '.html': 'text/html' };

function lowerResources(raw: Obj, errors: Diagnostic[], specDir: string): ResourceDefinition[] {
  const out: ResourceDefinition[] = [];
  const uris = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const at = ['resources', name];
    const r = value as Obj;
    const uri = String(r.uri);
    if (BUILTIN_URIS.includes(uri)) {
      errors.push({ message: `${uri} is built into every generated server`, pointer: [...at, 'uri'], fix: 'choose another URI' });
      continue;
    }
    const clash = uris.get(uri);
    if (clash) errors.push({ message: `resource ${name} has the same uri as resource ${clash}`, pointer: [...at, 'uri'] });
    uris.set(uri, name);
    if ((r.text === undefined) === (r.file === undefined)) {
      errors.push({ message: `resource ${name} needs exactly one of text and file`, pointer: at });
      continue;
    }
    let text = typeof r.text === 'string' ? r.text : '';
    if (typeof r.file === 'string') {
      const file = path.resolve(specDir, r.file);
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        errors.push({ message: `resource file ${r.file} cannot be read (looked in ${file})`, pointer: [...at, 'file'], fix: 'the path is relative to the spec file' });
        continue;
      }
    }
    const mimeType = typeof r.mimeType === 'string' ? r.mimeType : (typeof r.file === 'string' && MIME_BY_EXTENSION[path.extname(r.file)]) || 'text/plain';
    out.push({
      uri,
      name,
      ...(typeof r.title === 'string' ? { title: r.title } : {}),
      ...(typeof r.description === 'string' ? { description: r.description } : {}),
      mimeType,
      text,
    });
  }
  return out;
}

function lowerPrompts(raw: Obj, errors: Diagnostic[]): PromptDefinition[] {
  return Object.entries(raw).map(([name, value]) => {
    const p = value as Obj;
    const args = Object.entries((p.arguments ?? {}) as Record<string, Obj>).map(([argName, a]) => ({
      name: argName,
      ...(typeof a.description === 'string' ? { description: a.description } : {}),
      required: a.required === true,
    }));
    const scope: TemplateScope = { roots: ['args'], args: new Set(args.map((a) => a.name)), env: false };
    const messages = (p.messages as Array<{ role: 'user' | 'assistant'; text: string }>).map((m, i) => {
      errors.push(...checkTemplate(m.text, scope, ['prompts', name, 'messages', i, 'text']));
      return { role: m.role, text: m.text };
    });
    return {
      name,
      ...(typeof p.title === 'string' ? { title: p.title } : {}),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      arguments: args,
      messages,
    };
  });
}

function lowerRoles(raw: Record<string, string[]>, tools: ToolDefinition[], errors: Diagnostic[], warnings: Diagnostic[]): Record<string, string[]> {
  const names = tools.map((t) => t.name);
  for (const [role, patterns] of Object.entries(raw)) {
    patterns.forEach((pattern, i) => {
      const at = ['roles', role, i];
      if (!picomatch.scan(pattern).isGlob) {
        if (!names.includes(pattern)) errors.push({ message: `role ${role} names unknown tool ${JSON.stringify(pattern)}`, pointer: at, fix: `tools: ${names.join(', ')}` });
      } else if (!names.some((n) => picomatch.isMatch(n, pattern))) {
        warnings.push({ message: `role ${role}: ${JSON.stringify(pattern)} matches no tool`, pointer: at });
      }
    });
  }
  return raw;
}
