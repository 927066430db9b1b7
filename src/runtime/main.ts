/**
 * Entry point used by every generated server's `src/index.ts`.
 */
import { CODE_CACHE_STATE } from './bundle-script.js';
import { loadConfig } from './config.js';
import type { Env } from './config.js';
import type { ServerDefinition } from './definition.js';
import { createLogger, LogRing } from './observe/log.js';
import type { ServerDeps } from './server.js';
import { startHttpServer, startStdio } from './transport/serve.js';
import type { RunningServer } from './transport/serve.js';

export interface MainOptions {
  deps?: ServerDeps;
  /** Install SIGINT/SIGTERM (and, for stdio, stdin end) handlers that exit the process. */
  handleSignals?: boolean;
}

/** Past the grace period, the time closing may take before the process exits anyway. */
const CLOSE_MARGIN_MS = 2_000;

export async function main(
  definition: ServerDefinition,
  env: Env = process.env,
  options: MainOptions = {},
): Promise<RunningServer> {
  if (definition.formatVersion !== 1) {
    throw new Error(`Unsupported server-definition formatVersion ${String(definition.formatVersion)}; regenerate the server`);
  }
  const config = loadConfig(definition, env);
  const logRing = options.deps?.logRing ?? new LogRing();
  const logger =
    options.deps?.logger ?? createLogger({ level: config.logLevel, base: { server: definition.server.name }, ring: logRing });
  const deps: ServerDeps = { ...options.deps, logger, logRing };
  if (config.configFile) logger.info('configuration file read', { file: config.configFile });
  if ((globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE] === 'refused') {
    logger.warn('the code cache in dist/ does not fit this Node version, its V8 flags or this bundle: every start compiles the bundle; run npm run build where the server runs, with the same NODE_OPTIONS');
  }

  const running =
    config.transport === 'http'
      ? await startHttpServer(definition, config, deps)
      : await startStdio(definition, config, deps);

  if (options.handleSignals ?? true) {
    let stopping = false;
    const shutdown = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { reason, graceMs: config.shutdownGraceMs });
      // unref: the timer must not itself keep a finished process alive.
      setTimeout(() => process.exit(0), config.shutdownGraceMs + CLOSE_MARGIN_MS).unref();
      // Calls in flight get the grace period to finish (HTTP; stdio ends with its client).
      running.close(config.shutdownGraceMs).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { error: err instanceof Error ? err : String(err) });
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    // In stdio mode the client closing our stdin is the normal way a session ends.
    if (config.transport === 'stdio') process.stdin.once('end', () => shutdown('stdin closed'));
  }
  return running;
}
