/**
 * The server definition: the intermediate representation that every input format lowers into,
 * and the data file (`server-definition.json`) that a generated server reads at start-up.
 *
 * Keeping it plain JSON is deliberate: spec text only ever travels as data, never as code, and a
 * 10,000-tool API costs one JSON.parse instead of a program that tsc has to type-check.
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
}

export interface ServerInfo {
  /** npm-safe package and MCP server name, e.g. `petstore`. */
  name: string;
  version: string;
  title?: string;
  description?: string;
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
  annotations: ToolAnnotations;
  binding: HttpBinding;
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
  /** Set when the declared response is not always an object: results are `{ [wrapKey]: value }`. */
  wrapKey?: string;
}
