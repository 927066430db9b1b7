/**
 * Maps an upstream HTTP response to an MCP tool result. Pure apart from the (cached) schema
 * validator it is handed.
 *
 * Rule behind the output-schema branches: when a tool declares an outputSchema, SDK clients
 * reject a successful result that lacks conforming structuredContent. So for such tools every
 * success path either carries valid structured content or is reported as `isError`, with the
 * reason and the body excerpt, rather than letting the client throw.
 */
import { STATUS_CODES } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { JsonSchema, ToolDefinition } from '../definition.js';
import type { HttpResponse } from './http-client.js';
import { isJsonMediaType, mediaType } from './request.js';
import type { SchemaValidator } from '../validate.js';
import { DEFAULTS, READ_FACTOR } from '../defaults.js';
import { shapeToBudget } from './shape.js';
import type { Cut } from './shape.js';

export type UpstreamResponse = Pick<HttpResponse, 'status' | 'statusText' | 'contentType' | 'bytes' | 'truncated'>;

/** Longest body excerpt put into error messages. */
export const ERROR_EXCERPT_CHARS = 2_000;

/** Where a shortened structured answer says what was dropped (when its schema allows the key). */
export const TRUNCATION_KEY = '_truncated';

/** What an error message around an answer's JSON adds to it, at most (the reason included). */
const MESSAGE_ALLOWANCE = 1_024;

export interface ToResultOptions {
  validator: SchemaValidator;
  /** MCP_MAX_RESPONSE_BYTES: the most JSON or text of an answer handed to the model. */
  budget?: number;
}

type BodyKind = 'empty' | 'json' | 'text' | 'image' | 'audio' | 'binary';

export function toToolResult(tool: ToolDefinition, response: UpstreamResponse, options: ToResultOptions): CallToolResult {
  const { status, bytes } = response;
  const kind = classify(response);
  const budget = options.budget ?? DEFAULTS.maxResponseBytes;

  if (status < 200 || status > 299) {
    const detail = kind === 'empty' ? '' : `: ${excerpt(describeBody(response, kind), ERROR_EXCERPT_CHARS)}`;
    return errorResult(`HTTP ${status} ${statusText(response)}${detail}`.trimEnd());
  }

  const schema = tool.outputSchema;

  if (response.truncated) {
    // Cut at the read limit, mid-token: nothing to parse, so the first `budget` bytes as text.
    const body = cutText(describeBody(response, kind), budget);
    const note = `[truncated: the answer is over ${bytes.length} bytes, the most this server reads (${READ_FACTOR} × MCP_MAX_RESPONSE_BYTES); the first ${Buffer.byteLength(body)} bytes are shown]`;
    if (schema) {
      return errorResult(`The upstream answer is too large to return as structured output. ${note}\n${excerpt(body, ERROR_EXCERPT_CHARS)}`);
    }
    return { content: [{ type: 'text', text: body }, { type: 'text', text: note }] };
  }

  if (kind === 'empty') return emptyResult(tool, response, options);

  if (kind === 'json' || (schema && kind === 'text')) {
    const text = decode(response);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (kind === 'json') {
        const reason = err instanceof Error ? err.message : String(err);
        return errorResult(
          `The upstream response is not valid JSON although its content type is ${response.contentType || 'JSON'} (${reason}). Body:\n${excerpt(text, ERROR_EXCERPT_CHARS)}`,
        );
      }
      return errorResult(
        `The upstream answered with ${response.contentType || 'no content type'} instead of JSON matching the tool's output schema. Body:\n${excerpt(text, ERROR_EXCERPT_CHARS)}`,
      );
    }
    // A JSON `null` says as little as an empty body (GitHub documents its 202s that way).
    if (value === null && schema && !tool.wrapKey) return emptyResult(tool, response, options);
    if (!schema) return jsonTextResult(value, text, budget);
    const whole = tool.wrapKey ? { [tool.wrapKey]: value } : renamedKeys(value, tool.resultKeys);
    // Well within the budget as it came, it needs no measuring (a wrap key or renames add a few bytes).
    return structuredResult(schema, whole, bytes.length <= budget - MESSAGE_ALLOWANCE, budget, options.validator);
  }

  if (schema) {
    return errorResult(
      `The upstream answered with ${describeBody(response, kind)} instead of JSON matching the tool's output schema.`,
    );
  }

  switch (kind) {
    case 'image':
      return { content: [{ type: 'image', data: bytes.toString('base64'), mimeType: mediaType(response.contentType) }] };
    case 'audio':
      return { content: [{ type: 'audio', data: bytes.toString('base64'), mimeType: mediaType(response.contentType) }] };
    default:
      return cutTextResult(describeBody(response, kind), budget);
  }
}

/** JSON without an output schema: the text as it came, or, over the budget, the answer shortened. */
function jsonTextResult(value: unknown, text: string, budget: number): CallToolResult {
  if (Buffer.byteLength(text) <= budget) return { content: [{ type: 'text', text: text.trim() }] };
  const shaped = shapeToBudget(value, budget, (cuts) => Buffer.byteLength(cutNote(cuts, budget)));
  if (!shaped) return cutTextResult(text, budget);
  const json = JSON.stringify(shaped.value);
  if (shaped.cuts.length === 0) return { content: [{ type: 'text', text: json }] };
  return { content: [{ type: 'text', text: json }, { type: 'text', text: cutNote(shaped.cuts, budget) }] };
}

/**
 * An object answer as structured content, shortened to the budget. One that does not match the
 * output schema still reaches the model, as text: the MCP spec requires structured content to
 * conform and SDK clients throw on a success without it, so it comes as an error result that
 * says why and carries the data.
 */
function structuredResult(schema: JsonSchema, whole: unknown, fits: boolean, budget: number, validator: SchemaValidator, from: 'upstream' | 'tool' = 'upstream'): CallToolResult {
  const source = from === 'upstream' ? 'The upstream answered with' : 'The tool produced';
  // The cut is told inside the JSON (`_truncated`), or beside it when the schema has no room.
  let shaped: { value: unknown; cuts: Cut[] } | undefined = fits ? { value: whole, cuts: [] } : shapeToBudget(whole, budget, (cuts) => Buffer.byteLength(JSON.stringify(marker(cuts, budget))) + MESSAGE_ALLOWANCE);
  if (!shaped) {
    // A tool kind's own value is sized by the kind (a web page's cap): only lists are cut here.
    if (from === 'tool') shaped = { value: whole, cuts: [] };
    else return tooLarge(JSON.stringify(whole), budget);
  }
  const value = shaped.value;
  const outcome = validator.validateOutput(schema, value);
  if (!outcome.ok) {
    const note = shaped.cuts.length > 0 ? `\n${cutNote(shaped.cuts, budget)}` : '';
    return errorResult(
      `${source} data that does not match this tool's declared output schema (${outcome.message}), so it comes as text instead of structured content. The data${note ? ', shortened to the budget' : ''}:\n${JSON.stringify(value)}${note}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // structuredContent must be an object; a schema that accepts a bare value is unusable.
    return errorResult(`${source} a value that is not a JSON object, and the tool has no wrap key for it:\n${JSON.stringify(value)}`);
  }
  const structured = value as Record<string, unknown>;
  if (shaped.cuts.length === 0) return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  const marked = withMarker(structured, shaped.cuts, budget);
  if (marked && validator.validateOutput(schema, marked).ok) return { content: [{ type: 'text', text: JSON.stringify(marked) }], structuredContent: marked };
  return { content: [{ type: 'text', text: JSON.stringify(structured) }, { type: 'text', text: cutNote(shaped.cuts, budget) }], structuredContent: structured };
}

/** The answer with `_truncated` added, unless it has a field of that name. */
function withMarker(structured: Record<string, unknown>, cuts: Cut[], budget: number): Record<string, unknown> | undefined {
  if (Object.hasOwn(structured, TRUNCATION_KEY)) return undefined;
  const marked = { ...structured };
  Object.defineProperty(marked, TRUNCATION_KEY, { value: marker(cuts, budget)[TRUNCATION_KEY], enumerable: true, writable: true, configurable: true });
  return marked;
}

function marker(cuts: Cut[], budget: number): Record<string, unknown> {
  return { [TRUNCATION_KEY]: { note: cutNote(cuts, budget), cuts } };
}

/** What a shortened answer says about itself, for the model. */
function cutNote(cuts: Cut[], budget: number): string {
  const parts = cuts.map((c) => `${c.at}: kept ${c.kept} of ${c.kept + c.dropped} items (${c.dropped} dropped)`);
  return `[truncated to fit ${budget} bytes (MCP_MAX_RESPONSE_BYTES): ${parts.join('; ')}. Ask for a smaller page or a narrower query for the rest.]`;
}

/** An answer no shortening of its lists fits, and structured output wanted: its beginning, as an error. */
function tooLarge(text: string, budget: number): CallToolResult {
  return errorResult(
    `The upstream answer (${Buffer.byteLength(text)} bytes) does not fit MCP_MAX_RESPONSE_BYTES (${budget}) even with its lists shortened. Its beginning:\n${excerpt(text, ERROR_EXCERPT_CHARS)}`,
  );
}

/** Text over the budget: its first `budget` bytes and a note. */
function cutTextResult(text: string, budget: number): CallToolResult {
  const cut = cutText(text, budget);
  if (cut.length === text.length) return { content: [{ type: 'text', text }] };
  return { content: [{ type: 'text', text: cut }, { type: 'text', text: `[truncated: the answer has ${Buffer.byteLength(text)} bytes; the first ${Buffer.byteLength(cut)} are shown (MCP_MAX_RESPONSE_BYTES)]` }] };
}

/** At most `budget` bytes of `text`, cut at a character boundary. */
function cutText(text: string, budget: number): string {
  if (Buffer.byteLength(text) <= budget) return text;
  const cut = Buffer.from(text).subarray(0, budget).toString('utf8');
  // A character split at the end decodes as U+FFFD; drop it.
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}

/**
 * An object's own keys renamed by `keys` (old → new), in their order; anything else as it is.
 * The answer's top-level fields under their listed names (`resultKeys`); the generator uses it
 * both ways. `fromEntries` never sets a prototype, whatever a key is called.
 */
export function renamedKeys(value: unknown, keys: Record<string, string> | undefined): unknown {
  if (!keys || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [Object.hasOwn(keys, key) ? keys[key]! : key, field]));
}

/**
 * 204 and other empty successes. Without an output schema that is plain text. With one, `{}`
 * (or `{ [wrapKey]: null }`) is used if the schema accepts it; otherwise the call is reported
 * as an error, because a success without structured content would make SDK clients throw.
 */
function emptyResult(tool: ToolDefinition, response: UpstreamResponse, options: ToResultOptions): CallToolResult {
  const text = `HTTP ${response.status} ${statusText(response)}`;
  const schema = tool.outputSchema;
  if (!schema) return { content: [{ type: 'text', text }] };
  const wrapKey = tool.wrapKey;
  const candidates: Record<string, unknown>[] = [{}];
  if (wrapKey) candidates.push({ [wrapKey]: null });
  for (const candidate of candidates) {
    if (options.validator.validateOutput(schema, candidate).ok) {
      return { content: [{ type: 'text', text }], structuredContent: candidate };
    }
  }
  return errorResult(`${text}: the upstream returned an empty body, which the tool's output schema does not allow.`);
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function statusText(response: UpstreamResponse): string {
  // HTTP/2 has no reason phrase, and some servers send none.
  return response.statusText || STATUS_CODES[response.status] || '';
}

const TEXT_APPLICATION_TYPES = new Set([
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-www-form-urlencoded',
  'application/yaml',
  'application/x-yaml',
  'application/graphql',
  'application/csv',
  'application/sql',
  'application/x-ndjson',
  'application/jsonl',
]);

function classify(response: UpstreamResponse): BodyKind {
  if (response.bytes.length === 0) return 'empty';
  const media = mediaType(response.contentType);
  if (isJsonMediaType(media)) return 'json';
  if (media.startsWith('text/') || media.endsWith('+xml') || TEXT_APPLICATION_TYPES.has(media)) return 'text';
  if (media.startsWith('image/')) return 'image';
  if (media.startsWith('audio/')) return 'audio';
  if (media === '') return looksLikeText(response.bytes) ? 'text' : 'binary';
  return 'binary';
}

function looksLikeText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 1024);
  if (sample.includes(0)) return false;
  return !decodeUtf8(sample).includes('\uFFFD');
}

function describeBody(response: UpstreamResponse, kind: BodyKind): string {
  if (kind === 'empty') return '';
  if (kind === 'json' || kind === 'text') return decode(response);
  const type = mediaType(response.contentType) || 'unknown content type';
  return `[binary response: ${type}, ${response.bytes.length} bytes${response.truncated ? ' (truncated)' : ''}]`;
}

function decode(response: UpstreamResponse): string {
  const charset = /;\s*charset="?([^";]+)"?/i.exec(response.contentType)?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset.trim()).decode(response.bytes);
    } catch {
      // Unknown charset label: fall back to UTF-8.
    }
  }
  return decodeUtf8(response.bytes);
}

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

export function excerpt(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/**
 * The value a YAML tool kind produced → a tool result, within the budget like an upstream answer.
 * Objects (or any value, under the tool's wrap key) become structured content checked against the
 * output schema; without an output schema, strings are returned as text and everything else as
 * JSON text.
 */
export function valueResult(tool: ToolDefinition, value: unknown, validator: SchemaValidator, budget: number = DEFAULTS.maxResponseBytes): CallToolResult {
  const schema = tool.outputSchema;
  if (!schema) {
    if (typeof value === 'string') return cutTextResult(value, budget);
    return jsonTextResult(value, JSON.stringify(value ?? null, null, 2), budget);
  }
  const wrapped = tool.wrapKey ? { [tool.wrapKey]: value } : value;
  return structuredResult(schema, wrapped, false, budget, validator, 'tool');
}
