/**
 * An operation's parameters and request body → one `type: object` input schema plus the
 * bindings that put each argument back where it came from (path, query, header, cookie, body).
 */
import { setOwn } from '../../schema/set-own.js';
import type { BodyBinding, JsonSchema, ParameterBinding, ParameterLocation, ParameterStyle } from '../../runtime/definition.js';
import { SpecError, type Diagnostic } from '../../diagnostics.js';
import { convertSchema, deref, isObjectSchema, type SchemaContext } from './schema.js';
import { UNSAFE_PROPERTY_NAMES } from '../naming.js';

type Path = readonly (string | number)[];

interface Field {
  /** Name on the wire (parameter name or body field). */
  wire: string;
  source: ParameterLocation | 'body';
  schema: JsonSchema;
  required: boolean;
}

export interface LoweredInput {
  properties: Record<string, JsonSchema>;
  required: string[];
  parameters: ParameterBinding[];
  body?: BodyBinding;
  refs: Set<string>;
}

const DEFAULT_STYLE: Record<ParameterLocation, ParameterStyle> = { path: 'simple', query: 'form', header: 'simple', cookie: 'form' };
const ALLOWED_STYLES: Record<ParameterLocation, ParameterStyle[]> = {
  path: ['simple', 'label', 'matrix'],
  query: ['form', 'spaceDelimited', 'pipeDelimited', 'deepObject'],
  header: ['simple'],
  cookie: ['form'],
};
/**
 * Header parameters left out of tools: OpenAPI says Accept, Content-Type and Authorization "SHALL
 * be ignored"; the others frame the HTTP message and are the HTTP client's to set (Vercel declares
 * Content-Length, and a synthesised value made the upstream wait for a body that never came).
 */
const IGNORED_HEADERS = new Set([
  'accept',
  'content-type',
  'authorization',
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** Media types in order of preference when a body offers several. */
const BODY_PREFERENCE: Array<(t: string) => boolean> = [
  (t) => t === 'application/json',
  (t) => /\+json$/.test(t) || t === '*/*',
  (t) => t === 'application/x-www-form-urlencoded',
  (t) => t === 'multipart/form-data',
  (t) => t === 'text/plain',
  (t) => t.startsWith('text/'),
];

export function pickMediaType(content: Record<string, unknown>): string | undefined {
  const types = Object.keys(content);
  for (const test of BODY_PREFERENCE) {
    const hit = types.find((t) => test(t.toLowerCase().split(';')[0]!.trim()));
    if (hit) return hit;
  }
  return types[0];
}

interface RawParameter {
  name?: unknown;
  in?: unknown;
  required?: unknown;
  description?: unknown;
  schema?: unknown;
  content?: Record<string, { schema?: unknown }>;
  style?: unknown;
  explode?: unknown;
  allowReserved?: unknown;
  deprecated?: unknown;
}

/** Path-level parameters merged with operation-level ones (the latter win on name + in). */
function mergedParameters(ctx: SchemaContext, pathItem: Record<string, unknown>, op: Record<string, unknown>, at: { path: Path; op: Path }) {
  const out = new Map<string, { p: RawParameter; at: Path }>();
  for (const [list, base] of [[pathItem.parameters, at.path], [op.parameters, at.op]] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const pAt = [...base, 'parameters', i];
      const p = deref(ctx, raw as RawParameter, pAt);
      if (!p || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.in !== 'string') {
        throw new SpecError({ message: 'parameter needs a string "name" and "in"', pointer: pAt });
      }
      out.set(`${p.in}\u0000${p.name}`, { p, at: pAt });
    });
  }
  return [...out.values()];
}

export function lowerInput(
  ctx: SchemaContext,
  pathItem: Record<string, unknown>,
  op: Record<string, unknown>,
  at: { path: Path; op: Path },
  warnings: Diagnostic[],
): LoweredInput {
  const refs = new Set<string>();
  const fields: Array<Field & { binding?: Omit<ParameterBinding, 'arg'> }> = [];

  for (const { p, at: pAt } of mergedParameters(ctx, pathItem, op, at)) {
    const location = p.in as string;
    if (!['path', 'query', 'header', 'cookie'].includes(location)) {
      throw new SpecError({
        message: `parameter "${String(p.name)}" has unsupported location in: ${JSON.stringify(location)}`,
        pointer: [...pAt, 'in'],
        fix: 'use path, query, header or cookie (Swagger 2.0 body/formData parameters are converted automatically)',
      });
    }
    const loc = location as ParameterLocation;
    const name = p.name as string;
    if (loc === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue;

    let rawSchema = p.schema;
    let json = false;
    let schemaAt: Path = [...pAt, 'schema'];
    if (rawSchema === undefined && p.content && typeof p.content === 'object') {
      const mt = Object.keys(p.content)[0];
      if (mt) {
        rawSchema = p.content[mt]?.schema;
        json = /json/i.test(mt);
        schemaAt = [...pAt, 'content', mt, 'schema'];
      }
    }
    const schema = convertSchema(ctx, rawSchema ?? { type: 'string' }, 'input', schemaAt, refs);
    if (typeof p.description === 'string' && p.description && schema.description === undefined) {
      schema.description = p.description;
    }
    let style = typeof p.style === 'string' ? (p.style as ParameterStyle) : DEFAULT_STYLE[loc];
    if (!ALLOWED_STYLES[loc].includes(style)) {
      warnings.push({ message: `style "${style}" is not defined for ${loc} parameters; using "${DEFAULT_STYLE[loc]}"`, pointer: [...pAt, 'style'] });
      style = DEFAULT_STYLE[loc];
    }
    const explode = typeof p.explode === 'boolean' ? p.explode : style === 'form';
    const binding: Omit<ParameterBinding, 'arg'> = { name, in: loc, style, explode };
    if (loc === 'query' && p.allowReserved === true) binding.allowReserved = true;
    if (json) binding.json = true;
    fields.push({ wire: name, source: loc, schema, required: loc === 'path' || p.required === true, binding });
  }

  const body = lowerBody(ctx, op, at.op, refs);
  if (body) fields.push(...body.fields);

  // Names: first come (path, query, header, cookie, body) keeps the wire name.
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const parameters: ParameterBinding[] = [];
  const bodyFields: Record<string, string> = {};
  let bodyArg: string | undefined;
  for (const f of fields) {
    let arg = f.wire;
    // Own properties only: `in` would see Object.prototype's `__proto__` and `constructor`.
    // Names like `constructor` break MCP clients' validators (see UNSAFE_PROPERTY_NAMES).
    if (Object.hasOwn(properties, arg) || UNSAFE_PROPERTY_NAMES.has(arg)) {
      const clashWith = arg;
      arg = `${f.source}_${f.wire}`;
      for (let i = 2; Object.hasOwn(properties, arg); i++) arg = `${f.source}_${f.wire}_${i}`;
      const why = UNSAFE_PROPERTY_NAMES.has(clashWith) ? `"${clashWith}" breaks MCP clients' validators` : `"${clashWith}" is taken`;
      const note = `(${f.source === 'body' ? 'request body field' : `${f.source} parameter`} "${f.wire}", renamed because ${why})`;
      f.schema = { ...f.schema, description: f.schema.description ? `${String(f.schema.description)} ${note}` : note };
    }
    setOwn(properties, arg, f.schema);
    if (f.required) required.push(arg);
    if (f.binding) parameters.push({ arg, ...f.binding });
    else if (body?.binding.mode === 'properties') setOwn(bodyFields, arg, f.wire);
    else bodyArg = arg;
  }

  const result: LoweredInput = { properties, required, parameters, refs };
  if (body) {
    result.body = body.binding.mode === 'properties' ? { ...body.binding, fields: bodyFields } : { ...body.binding, arg: bodyArg! };
  }
  return result;
}

function lowerBody(ctx: SchemaContext, op: Record<string, unknown>, opAt: Path, refs: Set<string>) {
  if (op.requestBody === undefined) return undefined;
  const at = [...opAt, 'requestBody'];
  const rb = deref(ctx, op.requestBody as { content?: Record<string, { schema?: unknown }>; required?: boolean; description?: string }, at);
  if (!rb?.content || typeof rb.content !== 'object') return undefined;
  const mediaType = pickMediaType(rb.content);
  if (!mediaType) return undefined;
  const contentType = mediaType === '*/*' ? 'application/json' : mediaType;
  const schemaAt = [...at, 'content', mediaType, 'schema'];
  const rawSchema = rb.content[mediaType]?.schema;
  const bodyRequired = rb.required === true;
  const binding: BodyBinding = { contentType, mode: 'value', required: bodyRequired };

  const resolved = rawSchema === undefined ? undefined : deref(ctx, rawSchema as Record<string, unknown>, schemaAt);
  const flat = resolved && isFlattenable(ctx, resolved);
  if (flat) {
    // The body's own fields become top-level arguments: easier for a model than one nested object.
    const conv = convertSchema(ctx, resolved, 'input', schemaAt, refs);
    const props = (conv.properties ?? {}) as Record<string, JsonSchema>;
    const req = new Set((conv.required as string[] | undefined) ?? []);
    const binaryFields = contentType.startsWith('multipart/') ? Object.keys(props).filter((k) => isBinary(props[k]!)) : [];
    return {
      binding: { ...binding, mode: 'properties' as const, ...(binaryFields.length ? { binaryFields } : {}) },
      fields: Object.entries(props).map(([wire, schema]): Field => ({ wire, source: 'body', schema, required: bodyRequired && req.has(wire) })),
    };
  }
  const schema = rawSchema === undefined ? {} : convertSchema(ctx, rawSchema, 'input', schemaAt, refs);
  if (typeof rb.description === 'string' && rb.description && schema.description === undefined) schema.description = rb.description;
  else if (schema.description === undefined) schema.description = `Request body (${contentType})`;
  return { binding, fields: [{ wire: 'body', source: 'body' as const, schema, required: bodyRequired }] };
}

/** A body is flattened when it is a plain object with named properties and nothing else that shapes it. */
function isFlattenable(ctx: SchemaContext, s: Record<string, unknown>): boolean {
  if (!isObjectSchema(ctx, s)) return false;
  if (!s.properties || typeof s.properties !== 'object' || !Object.keys(s.properties).length) return false;
  for (const k of ['allOf', 'oneOf', 'anyOf', 'not', 'if', 'patternProperties', 'discriminator']) if (s[k] !== undefined) return false;
  return s.additionalProperties === undefined || s.additionalProperties === false;
}

/** A multipart field sent as a file part rather than a form field. */
function isBinary(schema: JsonSchema): boolean {
  return schema.format === 'binary' || typeof schema.contentMediaType === 'string';
}
