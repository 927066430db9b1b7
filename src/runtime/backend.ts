/**
 * The contract between the server and the tool kinds of YAML tool specs (request, sql,
 * expression, handler, builtin). Each kind lives in its own module, copied into a generated
 * project only when one of its tools uses it, so a calculator server does not carry a
 * PostgreSQL driver.
 */
import type { Credentials } from './upstream/auth.js';
import type { RuntimeConfig } from './config.js';
import type { ServerDefinition, ToolBinding, ToolDefinition } from './definition.js';
import type { HttpClient, SendReport } from './upstream/http-client.js';
import type { Logger } from './observe/log.js';

export interface BackendContext {
  definition: ServerDefinition;
  config: RuntimeConfig;
  /** Aborts on the call's overall deadline and on MCP cancellation. */
  signal: AbortSignal;
  /** Epoch ms at which the call's deadline expires. */
  deadlineAt: number;
  logger: Logger;
  /** The resilient upstream client (retries, circuit breaker, bulkhead, response cap). */
  http: HttpClient;
  /** What an upstream request carries: configured credentials, or a token traded for the caller's. */
  credentials: Credentials;
  /** Directory of the generated project (holds server-definition.json); relative files resolve here. */
  projectDir: string;
  /** Attempt and retry counts of upstream calls, for metrics and logs. */
  report: SendReport;
  /** Per-attempt timeout of a tool with its own deadline (see `toolTimeouts`). */
  attemptTimeoutMs?: number;
}

/**
 * Carries out one tool call whose arguments have already been validated against the tool's
 * input schema. Returns the result value (an object, or anything when the tool has a wrap
 * key); throws `ToolError` for failures the caller should read.
 */
export type ToolExecutor<B extends ToolBinding = ToolBinding> = (
  tool: ToolDefinition & { binding: B },
  args: Record<string, unknown>,
  ctx: BackendContext,
) => Promise<unknown>;

/** Executors by binding kind, registered by the generated entry point for the kinds it uses. */
export type Backends = {
  [K in Exclude<ToolBinding['kind'], 'http'>]?: ToolExecutor<Extract<ToolBinding, { kind: K }>>;
};

/**
 * An executor that loads with its kind's first call. The kinds' libraries (mathjs, cheerio, the
 * SQL parser and drivers) are most of a tool-spec server's code, and starting and listing tools
 * need none of them.
 */
export function onFirstCall<B extends ToolBinding>(load: () => Promise<ToolExecutor<B>>): ToolExecutor<B> {
  const executor = loadOnce(load);
  return async (tool, args, ctx) => (await executor())(tool, args, ctx);
}

/**
 * `load` run once and its result shared by every caller, concurrent ones included. A failed load
 * (a native driver built for another Node) fails those callers, and the next call tries again.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

/** A failure whose message is meant for the model: returned as an `isError` tool result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
