/**
 * Default input and output schemas (JSON Schema 2020-12) and annotations of the built-in tools
 * (`builtin:` in a tool spec). Kept apart from web.ts so the generator can read them without
 * loading cheerio; a spec may still replace either schema with its own.
 */
import type { JsonSchema, ToolAnnotations } from '../definition.js';

export type BuiltinName = 'web.scrape' | 'http.request';

export interface BuiltinDefaults {
  input: JsonSchema;
  output: JsonSchema;
  annotations: ToolAnnotations;
}

/** Links a scrape returns unless `max_links` says otherwise, and the most it may ask for. */
export const DEFAULT_MAX_LINKS = 50;
export const MAX_LINKS_CAP = 500;
/** Characters of page text a scrape returns at most; a model gains little from more in one call. */
export const MAX_TEXT_CHARS = 50_000;

const HTTP_URL: JsonSchema = {
  type: 'string',
  format: 'uri',
  // `format: uri` alone accepts file:, ftp: and friends; the executor refuses them too.
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  maxLength: 2048,
};

const WEB_SCRAPE: BuiltinDefaults = {
  input: {
    type: 'object',
    properties: {
      url: { ...HTTP_URL, description: 'Absolute http:// or https:// URL of the page to read.' },
      max_links: {
        type: 'integer',
        minimum: 0,
        maximum: MAX_LINKS_CAP,
        default: DEFAULT_MAX_LINKS,
        description: `Most links to return (default ${DEFAULT_MAX_LINKS}).`,
      },
      selector: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'CSS selector (e.g. "main" or "article .content") restricting the text and links to matching elements.',
      },
    },
    required: ['url'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'Final URL, after redirects.' },
      status: { type: 'integer', description: 'HTTP status of the final response.' },
      title: { type: 'string' },
      text: { type: 'string', description: `Visible text, one line per block, at most ${MAX_TEXT_CHARS} characters.` },
      links: {
        type: 'array',
        items: {
          type: 'object',
          properties: { text: { type: 'string' }, href: { type: 'string', description: 'Absolute http(s) URL.' } },
          required: ['text', 'href'],
          additionalProperties: false,
        },
      },
      truncated: { type: 'boolean', description: 'True when the page, its text or its links were cut to the limits.' },
    },
    required: ['url', 'status', 'title', 'text', 'links', 'truncated'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
};

const QUERY_VALUE: JsonSchema = { type: ['string', 'number', 'boolean'] };

const HTTP_REQUEST: BuiltinDefaults = {
  input: {
    type: 'object',
    properties: {
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
      url: { ...HTTP_URL, description: 'Absolute http:// or https:// URL on one of the allowed hosts.' },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string', maxLength: 8192 },
        maxProperties: 50,
        description: 'Request headers. Host, Cookie, Content-Length and connection headers cannot be set.',
      },
      query: {
        type: 'object',
        additionalProperties: { anyOf: [QUERY_VALUE, { type: 'array', items: QUERY_VALUE }] },
        description: 'Query parameters added to the URL; an array repeats the parameter.',
      },
      body: {
        description: 'Request body: a string is sent as is (text/plain unless Content-Type is given), anything else as JSON.',
      },
    },
    required: ['method', 'url'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'Final URL, after redirects.' },
      status: { type: 'integer' },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'A few response headers: content type, caching, location, rate limits, pagination links.',
      },
      body: { description: 'Parsed JSON when the response is JSON, else text.' },
      truncated: { type: 'boolean', description: 'True when the body was cut at the response size limit.' },
    },
    required: ['url', 'status', 'headers', 'body', 'truncated'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

export const BUILTIN_SCHEMAS: Record<BuiltinName, BuiltinDefaults> = {
  'web.scrape': WEB_SCRAPE,
  'http.request': HTTP_REQUEST,
};
