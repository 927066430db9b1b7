// The mcp-gen command: dist/mcp-gen.cjs (src/launch.ts), a few KB, runs the generator's bundle,
// dist/generator.cjs, from V8's code cache; both built from tsc's output. One bundle, because
// loading ~400 files of node_modules (zod alone is 101, with every locale) cost ~0.2 s of each
// generation; one file, because Node 20 caches compiled code only for scripts, and the cache
// covers one script (docs/benchmarks.md). Modules reached only by dynamic import are evaluated
// on first use all the same. The packages only tool specs need are left to Node: native drivers
// cannot be bundled, and the others are large and rarely used.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'rolldown';
import { packRuntime } from './dist/emit/runtime-files.js';
import { buildTable } from './dist/tokens/table.js';

/** dist/o200k_base.bin, the token counter's rank table (src/tokens/table.ts), beside the bundle. */
const tokenTable = {
  name: 'o200k-table',
  generateBundle() {
    const tiktoken = readFileSync(createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken'), 'utf8');
    this.emitFile({ type: 'asset', fileName: 'o200k_base.bin', source: buildTable(tiktoken) });
  },
};

/** dist/runtime-files.json, the runtime files' texts and imports (src/emit/runtime-files.ts). */
const runtimePack = {
  name: 'runtime-pack',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'runtime-files.json', source: packRuntime() });
  },
};

/**
 * yargs and cliui import string-width (three copies) for laying out --help, and its module set-up
 * (an Intl.Segmenter and Unicode-property expressions, per copy) cost ~35 ms of every run. Each
 * import gets a stand-in that requires the real module on its first call: only --help pays.
 */
const LAZY = '\0lazy:';
const lazyStringWidth = {
  name: 'lazy-string-width',
  async resolveId(source, importer, options) {
    if (source !== 'string-width' || importer?.startsWith(LAZY)) return null;
    const real = await this.resolve(source, importer, { ...options, skipSelf: true });
    return real && `${LAZY}${real.id}`;
  },
  load(id) {
    if (!id.startsWith(LAZY)) return null;
    return `export default function stringWidth(text, options) {
  return require(${JSON.stringify(id.slice(LAZY.length))}).default(text, options);
}`;
  },
};

export default defineConfig([
  {
    input: 'dist/cli.js',
    platform: 'node',
    // jsonc-parser too: its UMD build require()s its own files in a way no bundler follows (it is
    // loaded only to locate an error in a JSON spec).
    external: ['ts-morph', 'better-sqlite3', 'pg', 'node-sql-parser', 'mathjs', 'jsonc-parser'],
    logLevel: 'warn',
    plugins: [tokenTable, runtimePack, lazyStringWidth],
    // yaml is imported lazily for OpenAPI and eagerly by the tool-spec loader; both are fine.
    // The one `import.meta` CommonJS lacks is yargs' `extends` of a config file, which mcp-gen
    // does not use (`import.meta.url` becomes the file's URL).
    checks: { ineffectiveDynamicImport: false, emptyImportMeta: false },
    output: {
      file: 'dist/generator.cjs',
      format: 'cjs',
      // Pure ASCII (the documentation comments held the only other characters), so the launcher
      // reads it as Latin-1: ~1 ms where decoding UTF-8 takes ~10. Licence comments are kept.
      charset: 'ascii',
      comments: { legal: true, annotation: false, jsdoc: false },
      codeSplitting: false,
      // A script run from V8's code cache cannot import() on Node 20 (the import callback is
      // lost with the cache): the packages left to Node are required.
      dynamicImportInCjs: false,
    },
  },
  {
    input: 'dist/launch.js',
    platform: 'node',
    logLevel: 'warn',
    // CommonJS: Node starts an ES module entry ~5 ms slower (its ESM loader). What only a
    // generation needs is a chunk of its own, required after `--version` is answered.
    output: { dir: 'dist', entryFileNames: 'mcp-gen.cjs', chunkFileNames: 'launch-[name].cjs', format: 'cjs', dynamicImportInCjs: false },
  },
]);
