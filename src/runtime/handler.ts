/**
 * The `handler` tool kind: the user's own TypeScript function, in `src/handlers/<file>.ts` of
 * the generated project. mcp-gen creates that file once and never overwrites it; its argument
 * and result types come from the tool's schemas (src/tool-types.ts), so a schema change that
 * breaks a handler fails `tsc`, not a user's tool call.
 */
import { ToolError } from './backend.js';
import type { ToolExecutor } from './backend.js';
import type { Env } from './config.js';
import type { HandlerBinding } from './definition.js';
import type { Logger } from './observe/log.js';

export interface HandlerContext {
  /** Aborts on the call's deadline and on MCP cancellation: pass it to fetch and other I/O. */
  signal: AbortSignal;
  logger: Logger;
  /** The environment, for secrets (read at call time). */
  env: Env;
}

/** Throw `ToolError` (re-exported here) for failures the model should read. */
export type ToolHandler<Args, Result> = (args: Args, ctx: HandlerContext) => Result | Promise<Result>;

export { ToolError };

// Handlers are typed per tool where they are written; the registry only needs to call them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolHandler = ToolHandler<any, unknown>;

export function handlerBackend(handlers: Record<string, AnyToolHandler>): ToolExecutor<HandlerBinding> {
  return async (tool, args, ctx) => {
    const handler = handlers[tool.name];
    if (!handler) throw new ToolError(`no handler is registered for ${tool.name}; regenerate the server`);
    return handler(args, { signal: ctx.signal, logger: ctx.logger, env: ctx.config.env });
  };
}
