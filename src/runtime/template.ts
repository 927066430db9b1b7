/**
 * `${…}` placeholders of YAML tool specs, evaluated per call — never at generation time, and never
 * as code: the text inside is either an environment variable reference or a JMESPath expression
 * (a query language with a spec and no side effects) over the call's data.
 *
 * - `${NAME}` / `${NAME:-default}` (NAME in upper case): the environment, read at run time.
 * - `${args.x}`, `${steps.geo.results[0].name}`, `${args.a && 'x' || 'y'}`: JMESPath over
 *   `{ args, steps, response }`.
 * A string that is exactly one placeholder keeps the value's JSON type; any other string is
 * interpolated. `$${` stands for a literal `${`.
 */
import { createRequire } from 'node:module';
import type { JSONValue } from '@jmespath-community/jmespath';
import type { Env } from './config.js';
import type { Template } from './definition.js';

/** What expressions see: the validated arguments and the bodies of earlier request steps. */
export interface TemplateData {
  args?: Record<string, unknown>;
  steps?: Record<string, unknown>;
  response?: unknown;
}

export type Placeholder =
  | { kind: 'env'; name: string; fallback?: string; start: number; end: number }
  | { kind: 'expression'; source: string; start: number; end: number };

export type TemplatePart = string | Placeholder;

export class TemplateError extends Error {
  /** Offset in the template text where the problem is. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateError';
    this.offset = offset;
  }
}

const ENV_REFERENCE = /^([A-Z][A-Z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Splits a template string into literal text and placeholders. The scanner skips over quoted
 * JMESPath literals and nested braces (multi-select hashes), so `${ {a: 'x}'} }` is one placeholder.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      literal += text[i];
      i += 1;
      continue;
    }
    const end = closingBrace(text, i + 2);
    if (end < 0) throw new TemplateError('unterminated "${": add the closing "}" (write "$${" for a literal "${")', i);
    const source = text.slice(i + 2, end).trim();
    if (source === '') throw new TemplateError('empty placeholder "${}"', i);
    if (literal) parts.push(literal);
    literal = '';
    const env = ENV_REFERENCE.exec(source);
    parts.push(
      env
        ? { kind: 'env', name: env[1]!, ...(env[2] !== undefined ? { fallback: env[2] } : {}), start: i, end: end + 1 }
        : { kind: 'expression', source, start: i, end: end + 1 },
    );
    i = end + 1;
  }
  if (literal) parts.push(literal);
  return parts;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // Quoted JMESPath literal: skip to the matching quote, honouring backslash escapes.
      i += 1;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) return -1;
    } else if (c === '{') {
      depth += 1;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

type JmesPath = typeof import('@jmespath-community/jmespath');
type ExpressionNode = ReturnType<JmesPath['compile']>;
const compiled = new Map<string, ExpressionNode>();
let jmespath: JmesPath | undefined;
// Required on first use, not imported: every server renders templates, few evaluate expressions.
const expressions = () => (jmespath ??= createRequire(import.meta.url)('@jmespath-community/jmespath') as JmesPath);

/** Compiles (once) a JMESPath expression; throws TemplateError with the parser's message. */
export function compileExpression(source: string): ExpressionNode {
  let node = compiled.get(source);
  if (!node) {
    try {
      node = expressions().compile(source);
    } catch (err) {
      throw new TemplateError(`invalid expression ${JSON.stringify(source)}: ${err instanceof Error ? err.message : String(err)}`, 0);
    }
    compiled.set(source, node);
  }
  return node;
}

/** Evaluates a bare JMESPath expression over the call's data. */
export function evaluate(source: string, data: TemplateData): unknown {
  return expressions().TreeInterpreter.search(compileExpression(source), data as unknown as JSONValue);
}

function resolve(part: Placeholder, data: TemplateData, env: Env): unknown {
  if (part.kind === 'env') {
    const value = env[part.name];
    return value !== undefined && value !== '' ? value : (part.fallback ?? '');
  }
  return evaluate(part.source, data);
}

/** Renders one template string: an only placeholder keeps its type, otherwise text. */
export function renderString(text: string, data: TemplateData, env: Env): unknown {
  const parts = parseTemplate(text);
  if (parts.length === 1 && typeof parts[0] !== 'string') return resolve(parts[0]!, data, env);
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const value = resolve(part, data, env);
      if (value === null || value === undefined) return '';
      return typeof value === 'string' ? value : JSON.stringify(value);
    })
    .join('');
}

/** Renders every string inside a JSON value (objects and arrays recursively). */
export function renderTemplate(template: Template, data: TemplateData, env: Env): unknown {
  if (typeof template === 'string') return renderString(template, data, env);
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, data, env));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderTemplate(value, data, env)]));
  }
  return template;
}

/** Expands only environment references (for source URLs and headers, which have no call data). */
export function expandEnv(text: string, env: Env): string {
  return parseTemplate(text)
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind === 'expression') throw new TemplateError(`only environment references like \${NAME} are allowed here, not "${part.source}"`, part.start);
      return String(resolve(part, {}, env));
    })
    .join('');
}
