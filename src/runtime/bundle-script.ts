/**
 * The server bundle (dist/server.cjs) as a script V8 can cache; boot.ts runs it, and a test checks
 * that the cache the build writes is the one V8 takes.
 */
import { readFileSync } from 'node:fs';
import { constants, Script } from 'node:vm';

/**
 * The bundle as a script of CommonJS shape, compiled with `cachedData` when given. The wrapper
 * stays on the bundle's first line, so stack traces keep its line numbers.
 */
export function compileBundle(file: string, cachedData?: Buffer): Script {
  const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // A package the bundle leaves to Node may still be loaded with import().
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}
