/**
 * The server's executable (dist/index.js): runs the bundle, dist/server.cjs, from V8's code cache.
 *
 * Compiling the bundle's 0.9 MB (the MCP SDK and zod are most of it) was a quarter of a cold
 * start. Node 20 caches compiled code only for scripts, so the bundle is CommonJS and runs here
 * through `vm.Script` with the cache `npm run build` writes: its last step, `node dist/index.js
 * --code-cache`, starts the server once over stdio, lists its tools and keeps what V8 compiled
 * on the way. That start runs the project's code, handlers included, as any start does. A cache
 * V8 refuses (another Node version, other V8 flags such as --max-old-space-size) or none only
 * means compiling as usual; main.ts says so in the log when it is refused.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runBundle } from './bundle-script.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE = path.join(here, 'server.cjs');
const CODE_CACHE = `${BUNDLE}.cache`;
/** Set on the server `--code-cache` starts: write the cache when the process exits. */
const WRITE_CACHE_ENV = 'MCP_GEN_WRITE_CODE_CACHE';
/** How long the start and listing at build time may take before the cache is given up. */
const TRAINING_TIMEOUT_MS = 30_000;

function run(file: string, cacheFile: string, writeCache: boolean): void {
  // Node maps stack traces only for files its own loader compiled; a debugging run takes that path.
  if (process.sourceMapsEnabled && !writeCache) {
    createRequire(file)(file);
    return;
  }
  runBundle(file, cacheFile, writeCache);
}

/**
 * `--code-cache`: starts this server with the cache writer on, initializes and lists its tools
 * over stdio, and closes its input, which ends it. A server that cannot start here (a setting the
 * build's environment lacks) leaves no cache and a warning; the build itself still succeeds.
 */
async function writeCodeCache(cacheFile: string): Promise<void> {
  rmSync(cacheFile, { force: true });
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, MCP_TRANSPORT: 'stdio', [WRITE_CACHE_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let listed = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A server that died early closes the pipe under our writes; its exit says why.
  child.stdin.on('error', () => {});
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.once('error', (err) => {
      stderr += `${err.message}\n`;
      resolve(null);
    });
  });
  // Past the deadline, SIGTERM (the server's own shutdown), then SIGKILL for one that hangs on.
  const timer = setTimeout(() => {
    stderr += `Error: no tools/list answer within ${TRAINING_TIMEOUT_MS / 1000} s\n`;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  }, TRAINING_TIMEOUT_MS);
  createInterface({ input: child.stdout }).on('line', (line) => {
    const id = idOf(line);
    if (id === 1) {
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    } else if (id === 2) {
      listed = true;
      child.stdin.end();
    }
  });
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcp-gen-build', version: '1' } } });
  const code = await exited;
  clearTimeout(timer);
  if (listed && code === 0 && existsSync(cacheFile)) {
    process.stdout.write(`code cache: ${path.relative(process.cwd(), cacheFile)} (${Math.round(statSync(cacheFile).size / 1024)} KB)\n`);
    return;
  }
  rmSync(cacheFile, { force: true });
  const why = failureOf(stderr) ?? `exit code ${String(code)}`;
  process.stderr.write(`warning: no code cache written, the server starts without it (slower): ${why}\n`);
}

/** The line that says why the server stopped: an uncaught error's, else its last words. */
function failureOf(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line && !/^Node\.js v\d/.test(line));
  return lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.at(-1);
}

function idOf(line: string): unknown {
  try {
    return (JSON.parse(line) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}

if (process.argv[2] === '--code-cache') await writeCodeCache(CODE_CACHE);
else {
  const writeCache = process.env[WRITE_CACHE_ENV] === '1';
  delete process.env[WRITE_CACHE_ENV];
  run(BUNDLE, CODE_CACHE, writeCache);
}
