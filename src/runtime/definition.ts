/**
 * The server definition: the intermediate representation that every input format lowers into,
 * and the data file (`server-definition.json`) that a generated server reads at start-up.
 *
 * Keeping it plain JSON is deliberate: spec text only ever travels as data, never as code, and a
 * 10,000-tool API costs one JSON.parse instead of a program that tsc has to type-check.
 *
 * Types only (and one constant): the generator imports this module, and it imports nothing.
 */

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = { [key: string]: unknown };

export interface ServerDefinition {
  /** Format version of this file; bumped on incompatible changes. */
  formatVersion: 1;
  server: ServerInfo;
  /** Upstream base URLs, first = default. `API_BASE_URL` overrides at run time. */
  baseUrls: string[];
  /** Named authentication schemes for upstream calls; secrets come from env vars only. */
  auth: AuthScheme[];
  tools: ToolDefinition[];
  /** Named upstreams of YAML tool specs (OpenAPI servers use `baseUrls`). */
  sources?: Sources;
  /** Extra resources besides the three built-in ones every server has. */
  resources?: ResourceDefinition[];
  prompts?: PromptDefinition[];
  /** Role → globs of the tool names it may use (enforced when inbound auth is on). */
  roles?: Record<string, string[]>;
  /** Defaults from the spec's `config` section; environment variables and MCP_CONFIG override them. */
  config?: SpecConfig;
}

export interface SpecConfig {
  timeoutMs?: number;
  maxConcurrentTools?: number;
  retry?: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number };
  circuitBreaker?: { threshold?: number; cooldownMs?: number };
  maxResponseBytes?: number;
}

/**
 * A string or JSON value that may hold `${…}` placeholders, evaluated per call (see template.ts):
 * `${args.x}` / `${steps.id.field}` / `${response.field}` are JMESPath over the call's data,
 * `${NAME}` and `${NAME:-default}` read the environment at run time. A string that is exactly one
 * placeholder keeps the value's JSON type; any other string is interpolated.
 */
export type Template = unknown;

export interface Sources {
  http?: Record<string, HttpSource>;
  sql?: Record<string, SqlSource>;
}

export interface HttpSource {
  /** Template; overridden at run time by the env var `baseUrlEnv`. */
  baseUrl: string;
  /** Env var that overrides `baseUrl`, e.g. `GEO_BASE_URL`. */
  baseUrlEnv: string;
  /** Headers sent with every request to this source (templates, e.g. `${API_TOKEN}`). */
  headers?: Record<string, string>;
  /** Auth scheme ids (from `ServerDefinition.auth`) applied to every request. */
  security: string[][];
}

export type SqlDialect = 'sqlite' | 'postgresql';

export interface SqlSource {
  /** Template: `sqlite:path` (relative to the project directory), `sqlite::memory:` or `postgres://…`. */
  url: string;
  /** Dialects every statement on this source must parse in. */
  dialects: SqlDialect[];
  /** SQL file (project-relative) that creates and fills a new SQLite database when the file is missing. */
  seed?: string;
}

export interface ResourceDefinition {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType: string;
  /** Static text served as is. */
  text: string;
}

export interface PromptDefinition {
  name: string;
  title?: string;
  description?: string;
  arguments: Array<{ name: string; description?: string; required: boolean }>;
  /** Message texts are templates over `args`. */
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
}

export interface ServerInfo {
  /** npm-safe package and MCP server name, e.g. `petstore`. */
  name: string;
  version: string;
  title?: string;
  description?: string;
  /** Sent to clients at initialisation: how to use the tools together. */
  instructions?: string;
  /** Prefix of the env vars this server reads for secrets, e.g. `PETSTORE`. */
  envPrefix: string;
}

export type AuthScheme = ApiKeyAuth | HttpBearerAuth | HttpBasicAuth | OAuth2ClientCredentialsAuth;

interface AuthBase {
  /** Scheme id as referenced by `HttpBinding.security`. */
  id: string;
  description?: string;
}

export interface ApiKeyAuth extends AuthBase {
  type: 'apiKey';
  in: 'header' | 'query' | 'cookie';
  /** Wire name of the header, query parameter or cookie. */
  name: string;
  /** Env var holding the key. */
  env: string;
}

export interface HttpBearerAuth extends AuthBase {
  type: 'bearer';
  env: string;
}

export interface HttpBasicAuth extends AuthBase {
  type: 'basic';
  usernameEnv: string;
  passwordEnv: string;
}

export interface OAuth2ClientCredentialsAuth extends AuthBase {
  type: 'oauth2ClientCredentials';
  /** Absolute, or relative to the upstream base URL. */
  tokenUrl: string;
  scopes: string[];
  clientIdEnv: string;
  clientSecretEnv: string;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition {
  /** Matches `^[a-zA-Z0-9_-]{1,64}$` (or the configured maximum length). */
  name: string;
  title?: string;
  description: string;
  /** Always `type: object` at the root. */
  inputSchema: JsonSchema;
  /**
   * Always `type: object` at the root. When the upstream answer is not an object it is
   * returned wrapped as `{ [wrapKey]: value }`.
   */
  outputSchema?: JsonSchema;
  /** Set when the declared result is not always an object: results are `{ [wrapKey]: value }`. */
  wrapKey?: string;
  /**
   * Top-level result fields listed under another name (upstream name → listed name), because
   * their own names (`constructor`, `__proto__`, …) break MCP clients' validators.
   */
  resultKeys?: Record<string, string>;
  /**
   * Arguments listed as JSON text because they are free-form objects, which OpenAI's strict mode
   * cannot list (src/passes/json-text-arguments.ts): the server parses each before the call.
   */
  jsonTextArguments?: JsonTextArgument[];
  /** Overall deadline of one call of this tool, replacing the server-wide MCP_TIMEOUT_MS. */
  timeoutMs?: number;
  annotations: ToolAnnotations;
  binding: ToolBinding;
  /** The MCP App view of its results, for clients that negotiate the UI extension. */
  view?: ToolView;
}

/** One object listed as JSON text: where in the listed input schema, and the schema its parsed value meets. */
export interface JsonTextArgument {
  /** JSON Pointer into the input schema, e.g. `/properties/labels` or `/$defs/Pet/properties/meta`. */
  pointer: string;
  schema: JsonSchema;
}

/**
 * How an MCP App view shows a tool's structured result (src/runtime/apps/; chosen from the
 * outputSchema by src/passes/views.ts unless the spec says otherwise). `at` is the path from
 * structuredContent to the part shown.
 */
export type ToolView =
  /** Rows of objects; `columns` empty means from the rows' own keys. */
  | { kind: 'table'; at: string[]; columns: string[] }
  /** Numbers over dates or times: arrays side by side (`columns`) or fields of rows (`rows`). */
  | { kind: 'chart'; at: string[]; layout: 'columns' | 'rows'; x: string; series: string[] }
  /** An object: fields, nested sections, and tables for lists of objects. */
  | { kind: 'card' }
  | { kind: 'json' }
  /** The user's own HTML file, served as it is. */
  | { kind: 'custom'; file: string }
  /** Asked for by a spec (`ui: off`); the views pass removes it, so no definition keeps it. */
  | { kind: 'off' };

/** Whether a tool has a view (the views pass leaves no `off` in a definition; a hand-edited one may). */
export function hasView(tool: ToolDefinition): boolean {
  return tool.view !== undefined && tool.view.kind !== 'off';
}

/** What a view's script reads from its page (src/runtime/apps/page.ts, templates/apps/view/). */
export interface ViewConfig {
  tool: string;
  title: string;
  view: ToolView;
}

/** How a tool call is carried out: an OpenAPI operation, or one of the YAML tool kinds. */
export type ToolBinding =
  | HttpBinding
  | StepsBinding
  | SqlBinding
  | ExpressionBinding
  | HandlerBinding
  | BuiltinBinding;

/** YAML `http` tools: one or more templated requests on named sources, then a projection. */
export interface StepsBinding {
  kind: 'steps';
  steps: RequestStep[];
  /**
   * JMESPath over `{ args, steps, response }` (response = the last step's body) that
   * builds the result; the last response body when absent.
   */
  result?: string;
}

export interface RequestStep {
  id: string;
  /** Name of an HTTP source in `ServerDefinition.sources.http`. */
  source: string;
  method: HttpMethod;
  /** Path template relative to the source's base URL; each placeholder value is encoded as one segment. */
  path: string;
  /** Values that evaluate to null/undefined are left out; arrays repeat the parameter. */
  query?: Record<string, Template>;
  headers?: Record<string, Template>;
  body?: Template;
  bodyType?: 'json' | 'form';
  /** Fail the call with `message` (a template) when the JMESPath `when` is truthy. */
  failIf?: { when: string; message: string };
}

export interface SqlBinding {
  kind: 'sql';
  /** Name of an SQL source in `ServerDefinition.sources.sql`. */
  source: string;
  /** A fixed statement with `:name` parameters bound from the arguments, per dialect. */
  statement?: Partial<Record<SqlDialect, string>>;
  /** Template giving caller-supplied SQL (read-only checked at run time). Exactly one of statement/query. */
  query?: string;
  /** Template or number; capped at `SQL_MAX_ROWS_CAP`. */
  maxRows: Template;
}

export const SQL_MAX_ROWS_CAP = 1000;

export interface ExpressionBinding {
  kind: 'expression';
  /** Template giving the expression text. */
  input: string;
  /** Template giving significant digits of the result. */
  precision?: Template;
  /** mathjs function names the expression may call. */
  functions: string[];
  /** mathjs constant names the expression may use. */
  constants: string[];
  maxLength: number;
}

/** The user's own function in `src/handlers/<file>.ts` of the generated project. */
export interface HandlerBinding {
  kind: 'handler';
  /** File name without extension under `src/handlers/`. */
  file: string;
}

export interface BuiltinBinding {
  kind: 'builtin';
  name: 'web.scrape' | 'http.request';
  /** Host names (or `*.domain` globs) the tool may reach; empty = any public host (web.scrape only). */
  allowHosts: string[];
  /** Refuse loopback, private, link-local and other non-public addresses (after DNS resolution). */
  denyPrivateNetworks: boolean;
  maxBytes?: number;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** OpenAPI serialisation styles; the defaults per location are the OpenAPI ones. */
export type ParameterStyle =
  | 'simple'
  | 'label'
  | 'matrix'
  | 'form'
  | 'spaceDelimited'
  | 'pipeDelimited'
  | 'deepObject';

export interface ParameterBinding {
  /** Property name in the tool's input. */
  arg: string;
  /** Name on the wire. */
  name: string;
  in: ParameterLocation;
  style: ParameterStyle;
  explode: boolean;
  /** Query only: do not percent-encode RFC 3986 reserved characters. */
  allowReserved?: boolean;
  /** Serialise the value as JSON (OpenAPI `content` parameters) instead of by style. */
  json?: boolean;
}

export interface BodyBinding {
  contentType: string;
  /**
   * `value`: the whole body is the argument `arg`.
   * `properties`: the body is an object whose fields are top-level arguments; `fields` maps
   * argument name → wire field name.
   */
  mode: 'value' | 'properties';
  arg?: string;
  fields?: Record<string, string>;
  required: boolean;
  /**
   * multipart/form-data only: wire field names whose schema is binary (`format: binary`,
   * `contentMediaType`). Their string value is sent as a file part rather than a plain field.
   */
  binaryFields?: string[];
}

export interface HttpBinding {
  kind: 'http';
  method: HttpMethod;
  /** Path template relative to the base URL, e.g. `/pets/{petId}`. */
  path: string;
  parameters: ParameterBinding[];
  body?: BodyBinding;
  /**
   * Alternatives of scheme ids (OpenAPI security requirements): the first alternative whose
   * secrets are all configured is used. Empty = no auth.
   */
  security: string[][];
}
