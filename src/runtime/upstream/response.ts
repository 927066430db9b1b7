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

export type UpstreamResponse = Pick<HttpResponse, 'status' | 'statusText' | 'contentType' | 'bytes' | 'truncated'>;

/** Longest body excerpt put into error messages. */
export const ERROR_EXCERPT_CHARS = 2_000;

export interface ToResultOptions {
  validator: SchemaValidator;
}

type BodyKind = 'empty' | 'json' | 'text' | 'image' | 'audio' | 'binary';

export function toToolResult(tool: ToolDefinition, response: UpstreamResponse, options: ToResultOptions): CallToolResult {
  const { status, bytes } = response;
  const kind = classify(response);

  if (status < 200 || status > 299) {
    const detail = kind === 'empty' ? '' : `: ${excerpt(describeBody(response, kind), ERROR_EXCERPT_CHARS)}`;
    return errorResult(`HTTP ${status} ${statusText(response)}${detail}`.trimEnd());
  }

  const schema = tool.outputSchema;
  const truncatedNote = `[truncated at ${bytes.length} bytes]`;

  if (response.truncated) {
    const body = describeBody(response, kind);
    if (schema) {
      return errorResult(
        `The upstream response exceeded the size limit (MCP_MAX_RESPONSE_BYTES) and was ${truncatedNote.slice(1, -1)}, ` +
          `so it cannot be returned as structured output. Partial body:\n${excerpt(body, ERROR_EXCERPT_CHARS)}`,
      );
    }
    return { content: [{ type: 'text', text: body }, { type: 'text', text: truncatedNote }] };
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
    if (!schema) return { content: [{ type: 'text', text: text.trim() }] };
    return structuredResult(tool, schema, value, text, options);
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
      return { content: [{ type: 'text', text: describeBody(response, kind) }] };
  }
}

function structuredResult(
  tool: ToolDefinition,
  schema: JsonSchema,
  parsed: unknown,
  raw: string,
  options: ToResultOptions,
): CallToolResult {
  const wrapKey = tool.wrapKey;
  // The generator sets wrapKey exactly when the declared response is not always an object, and
  // then the output schema describes `{ [wrapKey]: value }` whatever shape this value has.
  const value = wrapKey ? { [wrapKey]: parsed } : renamedKeys(parsed, tool.resultKeys);
  const outcome = options.validator.validateOutput(schema, value);
  if (!outcome.ok) {
    return errorResult(
      `The upstream response does not match the declared output schema: ${outcome.message}. Body:\n${excerpt(raw, ERROR_EXCERPT_CHARS)}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // structuredContent must be an object; a schema that accepts a bare value is unusable.
    return errorResult(
      `The upstream response is not a JSON object and the tool has no wrap key for it. Body:\n${excerpt(raw, ERROR_EXCERPT_CHARS)}`,
    );
  }
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  };
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
 * The value a YAML tool kind produced → a tool result. Objects (or any value, under the tool's
 * wrap key) become structured content checked against the output schema; without an output
 * schema, strings are returned as text and everything else as JSON text.
 */
export function valueResult(tool: ToolDefinition, value: unknown, validator: ToResultOptions['validator']): CallToolResult {
  const schema = tool.outputSchema;
  if (!schema) {
    return { content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 2) }] };
  }
  const wrapped = tool.wrapKey ? { [tool.wrapKey]: value } : value;
  const outcome = validator.validateOutput(schema, wrapped);
  if (!outcome.ok) return errorResult(`The tool's result does not match its output schema: ${outcome.message}`);
  if (typeof wrapped !== 'object' || wrapped === null || Array.isArray(wrapped)) {
    return errorResult('The tool produced a result that is not a JSON object and it has no wrap key for it.');
  }
  return { content: [{ type: 'text', text: JSON.stringify(wrapped) }], structuredContent: wrapped as Record<string, unknown> };
}
