/**
 * The MCP server proper: lists the definition's tools and turns each tool call into one
 * upstream HTTP request. Transport-agnostic; see transport.ts for stdio and HTTP.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { applyAuth, AuthError, mergeAuth, OAuth2TokenCache } from './auth.js';
import type { FetchLike } from './auth.js';
import { isAbsoluteHttpUrl } from './config.js';
import type { RuntimeConfig } from './config.js';
import type { ServerDefinition, ToolDefinition } from './definition.js';
import { createHttpClient, deadlineSignal, UpstreamError } from './http-client.js';
import type { HttpClient } from './http-client.js';
import { silentLogger } from './log.js';
import type { Logger } from './log.js';
import { buildRequest, RequestBuildError } from './request.js';
import { toToolResult } from './response.js';
import { SchemaValidator } from './validate.js';

/**
 * Collaborators, injectable for tests and shared between the per-session servers of the HTTP
 * transport (so schemas compile and OAuth tokens are fetched once per process).
 */
export interface ServerDeps {
  logger?: Logger;
  fetchImpl?: FetchLike;
  httpClient?: HttpClient;
  validator?: SchemaValidator;
  tokens?: OAuth2TokenCache;
}

/** Fills in defaults once, so every session reuses the same caches. */
export function resolveDeps(config: RuntimeConfig, deps: ServerDeps = {}): Required<ServerDeps> {
  const fetchImpl = deps.fetchImpl ?? fetch;
  return {
    logger: deps.logger ?? silentLogger,
    fetchImpl,
    httpClient:
      deps.httpClient ??
      createHttpClient({ timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes, fetchImpl }),
    validator: deps.validator ?? new SchemaValidator(),
    tokens: deps.tokens ?? new OAuth2TokenCache(),
  };
}

export function createServer(definition: ServerDefinition, config: RuntimeConfig, deps: ServerDeps = {}): Server {
  const resolved = resolveDeps(config, deps);
  const tools = new Map(definition.tools.map((tool) => [tool.name, tool]));

  const info: { name: string; version: string; title?: string; description?: string } = {
    name: definition.server.name,
    version: definition.server.version,
  };
  if (definition.server.title) info.title = definition.server.title;
  if (definition.server.description) info.description = definition.server.description;
  const server = new Server(info, { capabilities: { tools: {} } });

  // Built on first request: a large definition should not slow the start-up handshake.
  let listing: Tool[] | undefined;
  server.setRequestHandler(ListToolsRequestSchema, () => {
    listing ??= definition.tools.map(toListedTool);
    return { tools: listing };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = tools.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    return callTool(tool, request.params.arguments ?? {}, extra.signal, definition, config, resolved);
  });

  return server;
}

function toListedTool(tool: ToolDefinition): Tool {
  const listed: Tool = {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
  };
  if (tool.title !== undefined) listed.title = tool.title;
  if (tool.outputSchema !== undefined) listed.outputSchema = tool.outputSchema as Tool['outputSchema'];
  const annotations = Object.fromEntries(
    Object.entries(tool.annotations).filter(([, value]) => value !== undefined),
  );
  if (Object.keys(annotations).length > 0) listed.annotations = annotations;
  return listed;
}

export async function callTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  cancel: AbortSignal | undefined,
  definition: ServerDefinition,
  config: RuntimeConfig,
  deps: Required<ServerDeps>,
): Promise<CallToolResult> {
  const { logger } = deps;
  const started = Date.now();
  const binding = tool.binding;
  const logFields = { tool: tool.name, method: binding.method, path: binding.path };

  const valid = deps.validator.validateArguments(tool.name, tool.inputSchema, args);
  if (!valid.ok) {
    logger.info('tool call rejected', { ...logFields, reason: 'invalid arguments' });
    return failure(valid.message);
  }

  const baseUrl = config.baseUrl;
  if (!baseUrl || !isAbsoluteHttpUrl(baseUrl)) {
    return failure(
      baseUrl
        ? `The upstream base URL "${baseUrl}" is not an absolute http(s) URL; set API_BASE_URL.`
        : 'No upstream base URL is configured; set API_BASE_URL.',
    );
  }

  // One deadline covers the token fetch and the API call together.
  const deadline = deadlineSignal(config.timeoutMs, cancel);
  const signal = deadline.signal;
  try {
    const built = buildRequest({ binding, args, baseUrl });
    const additions = await applyAuth({
      security: binding.security,
      schemes: definition.auth,
      env: config.env,
      fetchImpl: deps.fetchImpl,
      tokens: deps.tokens,
      signal,
      baseUrl,
    });
    mergeAuth(built, additions);
    const request = { method: built.method, url: built.url, headers: built.headers };
    const response = await deps.httpClient.send(
      built.body === undefined ? request : { ...request, body: built.body },
      { signal },
    );
    const result = toToolResult(tool, response, { validator: deps.validator });
    if (additions.missing && (response.status === 401 || response.status === 403)) {
      result.content = [...result.content, { type: 'text', text: additions.missing }];
    }
    logger.info('tool call', {
      ...logFields,
      status: response.status,
      bytes: response.bytes.length,
      truncated: response.truncated,
      isError: result.isError === true,
      ms: Date.now() - started,
    });
    return result;
  } catch (err) {
    const message = describeFailure(err, signal, config.timeoutMs);
    logger.warn('tool call failed', { ...logFields, error: message, ms: Date.now() - started });
    return failure(message);
  } finally {
    deadline.dispose();
  }
}

function describeFailure(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (err instanceof RequestBuildError) return `Invalid arguments: ${err.message}`;
  if (err instanceof AuthError || err instanceof UpstreamError) return err.message;
  // Anything else aborted by our signal (e.g. during a token fetch) is a timeout or cancel.
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error && reason.name === 'TimeoutError'
      ? `upstream request timed out after ${timeoutMs} ms`
      : 'upstream request was cancelled';
  }
  return `Tool call failed: ${err instanceof Error ? err.message : String(err)}`;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
