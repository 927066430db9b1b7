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
    return settleBy(Promise.resolve(handler(args, { signal: ctx.signal, logger: ctx.logger, env: ctx.config.env })), ctx.signal, tool.name);
  };
}

/**
 * The handler's outcome, or a tool error once the call's deadline (or a cancellation) aborts
 * `signal`: a handler that ignores its signal must not hold the call, and its bulkhead slot,
 * past the deadline.
 */
function settleBy<T>(running: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const reason: unknown = signal.reason;
      const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
      reject(new ToolError(timedOut ? `${name} ${reason.message}: its handler did not finish` : `${name} was cancelled before its handler finished`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    running.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
