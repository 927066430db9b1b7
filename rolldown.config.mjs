// The mcp-gen command is shipped as one bundle (dist/mcp-gen.js), built from tsc's output.
// Loading ~400 files of node_modules (zod alone is 101, with every locale) cost ~0.2 s of each
// generation, a third of a mid-sized spec's time; one file loads in a fraction of that
// (docs/benchmarks.md). The packages only tool specs need are left to Node: native drivers
// cannot be bundled, and the others are large and rarely used.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'rolldown';
import { buildTable } from './dist/tokens/table.js';

/** dist/o200k_base.bin, the token counter's rank table (src/tokens/table.ts), beside the bundle. */
const tokenTable = {
  name: 'o200k-table',
  generateBundle() {
    const tiktoken = readFileSync(createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken'), 'utf8');
    this.emitFile({ type: 'asset', fileName: 'o200k_base.bin', source: buildTable(tiktoken) });
  },
};

export default defineConfig({
  input: 'dist/cli.js',
  platform: 'node',
  // jsonc-parser too: its UMD build require()s its own files in a way no bundler follows (it is
  // loaded only to locate an error in a JSON spec).
  external: ['ts-morph', 'better-sqlite3', 'pg', 'node-sql-parser', 'mathjs', 'jsonc-parser'],
  logLevel: 'warn',
  plugins: [tokenTable],
  // yaml is imported lazily for OpenAPI and eagerly by the tool-spec loader; both are fine.
  checks: { ineffectiveDynamicImport: false },
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: 'mcp-gen.js',
    chunkFileNames: 'chunks/[name].js',
  },
});
