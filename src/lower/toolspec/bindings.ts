/**
 * The tool kinds of a tool spec → their bindings: HTTP step chains (`http:`), SQL, expressions and
 * built-ins. Every problem is collected with its pointer into `ctx.errors`.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { HttpMethod, JsonSchema, RequestStep, SqlDialect, ToolAnnotations, ToolBinding } from '../../runtime/definition.js';
import { HEADER_NAME, type LoweredSources } from './settings.js';
import { checkExpression, checkTemplate } from './template-check.js';
import type { TemplateScope } from './template-check.js';

type Pointer = readonly (string | number)[];
type Obj = Record<string, unknown>;

export const EXPRESSION_OUTPUT: JsonSchema = {
  type: 'object',
  properties: { expression: { type: 'string' }, result: { type: 'number' } },
  required: ['expression', 'result'],
};
const DEFAULT_MAX_ROWS = 100;
const DEFAULT_EXPRESSION_LENGTH = 1000;

export const SQL_OUTPUT: JsonSchema = {
  type: 'object',
  properties: {
    columns: { type: 'array', items: { type: 'string' } },
    rows: { type: 'array', items: { type: 'object' } },
    row_count: { type: 'integer' },
    truncated: { type: 'boolean' },
  },
  required: ['columns', 'rows', 'row_count', 'truncated'],
};

export interface BindingContext {
  name: string;
  scope: TemplateScope;
  requiredArgs: ReadonlySet<string>;
  sources: LoweredSources;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function lowerSteps(raw: Obj, at: Pointer, ctx: BindingContext): ToolBinding | undefined {
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
  return { kind: 'steps', steps, ...(result !== undefined ? { result } : {}) };
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

export async function lowerSql(raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
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

export async function lowerExpression(raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
  const { ALLOWED_FUNCTIONS, ALLOWED_CONSTANTS } = await import('../../runtime/kinds/expression-names.js');
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

export async function builtinDefaults(name: string): Promise<{ input: JsonSchema; output: JsonSchema; annotations: ToolAnnotations } | undefined> {
  const { BUILTIN_SCHEMAS } = await import('../../runtime/kinds/web-schemas.js');
  return (BUILTIN_SCHEMAS as Record<string, { input: JsonSchema; output: JsonSchema; annotations: ToolAnnotations }>)[name];
}
