// The mcp-gen command is shipped as one bundle (dist/mcp-gen.js), built from tsc's output.
// Loading ~400 files of node_modules (zod alone is 101, with every locale) cost ~0.2 s of each
// generation, a third of a mid-sized spec's time; one file loads in a fraction of that
// (docs/benchmarks.md). The packages only tool specs need are left to Node: native drivers
// cannot be bundled, and the others are large and rarely used.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli.js',
  platform: 'node',
  // jsonc-parser too: its UMD build require()s its own files in a way no bundler follows (it is
  // loaded only to locate an error in a JSON spec).
  external: ['ts-morph', 'better-sqlite3', 'pg', 'node-sql-parser', 'mathjs', 'jsonc-parser'],
  logLevel: 'warn',
  // yaml is imported lazily for OpenAPI and eagerly by the tool-spec loader; both are fine.
  checks: { ineffectiveDynamicImport: false },
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: 'mcp-gen.js',
    chunkFileNames: 'chunks/[name].js',
  },
});
