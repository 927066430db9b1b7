/**
 * The `http` tool kind of YAML tool specs: one or more templated requests on named sources
 * (later steps may use earlier answers, e.g. geocode then forecast), then an optional JMESPath
 * projection of the answers. Requests go through the same resilient client as OpenAPI tools.
 */
import { mergeAuth } from '../upstream/auth.js';
import { ToolError } from '../backend.js';
import type { BackendContext, ToolExecutor } from '../backend.js';
import type { Env } from '../config.js';
import type { HttpSource, StepsBinding, RequestStep, ServerDefinition } from '../definition.js';
import type { HttpResponse } from '../upstream/http-client.js';
import type { BuiltRequest } from '../upstream/request.js';
import { excerpt } from '../upstream/response.js';
import { evaluate, expandEnv, parseTemplate, renderString, renderTemplate } from '../template.js';
import type { TemplateData } from '../template.js';

const ERROR_EXCERPT_CHARS = 500;

export const stepsBackend: ToolExecutor<StepsBinding> = async (tool, args, ctx) => {
  const steps: Record<string, unknown> = {};
  let response: unknown;
  for (const step of tool.binding.steps) {
    const data: TemplateData = { args, steps, response };
    response = await runStep(step, data, ctx, tool.annotations.idempotentHint === true);
    steps[step.id] = response;
    if (step.failIf && isTruthy(evaluate(step.failIf.when, { args, steps, response }))) {
      throw new ToolError(String(renderString(step.failIf.message, { args, steps, response }, ctx.config.env)));
    }
  }
  return tool.binding.result === undefined ? response : evaluate(tool.binding.result, { args, steps, response });
};

async function runStep(step: RequestStep, data: TemplateData, ctx: BackendContext, idempotent: boolean): Promise<unknown> {
  const env = ctx.config.env;
  const source = sourceOf(ctx.definition, step.source);
  const baseUrl = baseUrlOf(step.source, source, env);
  const request = stepRequest(step, source, baseUrl, data, env);
  const additions = await ctx.credentials(source.security, baseUrl);
  mergeAuth(request, additions);
  const sent = { method: request.method, url: request.url, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) };
  const answer = await ctx.http.send(sent, {
    signal: ctx.signal,
    deadlineAt: ctx.deadlineAt,
    idempotent,
    report: ctx.report,
    ...(ctx.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: ctx.attemptTimeoutMs }),
  });
  if (answer.status < 200 || answer.status >= 300) {
    const hint = additions.missing && (answer.status === 401 || answer.status === 403) ? ` ${additions.missing}` : '';
    throw new ToolError(`${step.method} ${redactQuery(request.url)} answered HTTP ${answer.status}:${hint} ${excerpt(text(answer), ERROR_EXCERPT_CHARS)}`);
  }
  // A cut-off answer cannot feed the next step or the result mapping: say so rather than misparse it.
  if (answer.truncated) {
    throw new ToolError(
      `the answer of step ${step.id} (${step.method} ${redactQuery(request.url)}) was truncated at ${answer.bytes.length} bytes; raise MCP_MAX_RESPONSE_BYTES if it is expected to be this large`,
    );
  }
  return parseBody(answer);
}

/**
 * The request a step describes for `data`, before credentials: the source's headers, then the
 * step's templated path, query, headers and body. Pure, so the generator computes the requests a
 * project's contract test expects with the same rules (emit/chain-cases.ts).
 */
export function stepRequest(step: RequestStep, source: HttpSource, baseUrl: string, data: TemplateData, env: Env): BuiltRequest {
  const request: BuiltRequest = {
    method: step.method,
    url: joinUrl(baseUrl, renderPath(step.path, data, env)) + queryString(step.query, data, env),
    headers: {},
    cookies: [],
  };
  for (const [name, value] of Object.entries(source.headers ?? {})) setHeader(request, name, expandEnv(value, env));
  for (const [name, template] of Object.entries(step.headers ?? {})) {
    const value = renderTemplate(template, data, env);
    if (value !== null && value !== undefined && value !== '') setHeader(request, name, scalarText(value));
  }
  if (step.body !== undefined) setBody(request, step, renderTemplate(step.body, data, env));
  return request;
}

function sourceOf(definition: ServerDefinition, name: string): HttpSource {
  const source = definition.sources?.http?.[name];
  // The generator checks every step's source, so this only fires on a hand-edited definition.
  if (!source) throw new ToolError(`unknown HTTP source "${name}"; regenerate the server`);
  return source;
}

function baseUrlOf(name: string, source: HttpSource, env: Env): string {
  const url = env[source.baseUrlEnv] || expandEnv(source.baseUrl, env);
  if (!/^https?:\/\//i.test(url)) {
    throw new ToolError(`the base URL of source "${name}" is not an absolute http(s) URL (${JSON.stringify(url)}); set ${source.baseUrlEnv}`);
  }
  return url;
}

/** Each placeholder's value is one path segment: encoded, so `../` cannot climb the base path. */
function renderPath(path: string, data: TemplateData, env: Env): string {
  return parseTemplate(path)
    .map((part) => {
      if (typeof part === 'string') return part;
      const value = renderString(path.slice(part.start, part.end), data, env);
      if (value === null || value === undefined || value === '') {
        throw new ToolError(`the path ${path} needs a value for ${path.slice(part.start, part.end)}`);
      }
      return encodeURIComponent(scalarText(value));
    })
    .join('');
}

function joinUrl(base: string, path: string): string {
  if (path === '') return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Null and undefined values are left out; arrays repeat the parameter. */
function queryString(query: RequestStep['query'], data: TemplateData, env: Env): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, template] of Object.entries(query)) {
    const value = renderTemplate(template, data, env);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) params.append(name, scalarText(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function setHeader(request: BuiltRequest, name: string, value: string): void {
  // A header value that carries CR/LF could smuggle a second header or request.
  if (/[\r\n]/.test(value)) throw new ToolError(`the value of header ${name} contains a line break`);
  request.headers[name.toLowerCase()] = value;
}

function setBody(request: BuiltRequest, step: RequestStep, value: unknown): void {
  if (step.bodyType === 'form') {
    const form = new URLSearchParams();
    for (const [key, item] of Object.entries((value ?? {}) as Record<string, unknown>)) {
      if (item !== null && item !== undefined) form.append(key, scalarText(item));
    }
    request.body = form;
    return;
  }
  request.headers['content-type'] = 'application/json';
  request.body = JSON.stringify(value ?? null);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function text(response: HttpResponse): string {
  return new TextDecoder('utf-8').decode(response.bytes);
}

/** JSON when the answer says so (or looks like it), else the text. */
function parseBody(response: HttpResponse): unknown {
  const body = text(response);
  if (body === '') return null;
  if (/json/i.test(response.contentType) || /^\s*[{[]/.test(body)) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      if (/json/i.test(response.contentType)) throw new ToolError(`the upstream's answer is not valid JSON: ${excerpt(body, ERROR_EXCERPT_CHARS)}`);
    }
  }
  return body;
}

/** Query strings may carry API keys (apiKey-in-query auth): keep them out of error messages. */
function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}

/** JMESPath truthiness: false, null, empty string/array/object are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
