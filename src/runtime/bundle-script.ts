/**
 * A bundle (a server's dist/server.cjs, the generator's dist/generator.cjs) as a script V8 can
 * cache, and the cache file's format: the SHA-256 of the bundle's bytes, then V8's data. V8
 * itself checks only the source's length (and its own version and flags), so a bundle changed in
 * place would otherwise run the code it replaced.
 * boot.ts (and the generator's launch.ts) run the bundle; tests check that the cache the build
 * writes is taken.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import { constants, Script } from 'node:vm';

/** What became of the cache: used, refused (another bundle, Node version or V8 flags), or absent. */
export type CodeCacheState = 'taken' | 'refused' | 'none';

/** Where boot.ts leaves the state for main.ts to report (the bundle runs inside boot's process). */
export const CODE_CACHE_STATE = Symbol.for('mcp-gen.code-cache');

export interface CompiledBundle {
  script: Script;
  cache: CodeCacheState;
  /** The cache file's bytes for what V8 has compiled so far: after a start, more than the top level. */
  cacheBytes(): Buffer;
}

const HASH_BYTES = 32;

/**
 * The bundle as a script of CommonJS shape, compiled with the cache file's data when it is this
 * bundle's. The wrapper stays on the bundle's first line, so stack traces keep its line numbers.
 */
export function compileBundle(file: string, cacheFile?: Buffer): CompiledBundle {
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest();
  // ASCII is its own Latin-1, which decodes in a fraction of UTF-8's time (~1 ms against ~10 for 2.5 MB).
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8').replace(/^#!.*/, '');
  const fits = cacheFile !== undefined && cacheFile.length > HASH_BYTES && hash.equals(cacheFile.subarray(0, HASH_BYTES));
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(fits ? { cachedData: cacheFile.subarray(HASH_BYTES) } : {}),
    // A package the bundle leaves to Node may still be loaded with import().
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache: CodeCacheState = cacheFile === undefined ? 'none' : fits && script.cachedDataRejected === false ? 'taken' : 'refused';
  return { script, cache, cacheBytes: () => Buffer.concat([hash, script.createCachedData()]) };
}

/**
 * Runs the bundle as Node's loader runs a CommonJS file, from the cache file when it fits.
 * `writeCache`: the cache file is rewritten when the process exits, with everything V8 compiled
 * on the way. The state of the cache is left at CODE_CACHE_STATE before the bundle runs.
 */
export function runBundle(file: string, cacheFile: string, writeCache: boolean): void {
  const require = createRequire(file);
  const compiled = compileBundle(file, !writeCache && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined);
  (globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE] = compiled.cache;
  if (writeCache) process.once('exit', () => writeFileSync(cacheFile, compiled.cacheBytes()));
  const wrapper = compiled.script.runInThisContext() as (...args: unknown[]) => void;
  // Registered as loaded before it runs, as Node's loader would: lazy chunks require the bundle
  // for what they share with it, and must get these exports, not a second copy.
  const module = new Module(file);
  module.filename = file;
  module.paths = require.resolve.paths('x') ?? [];
  require.cache[file] = module;
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
  module.loaded = true;
}
