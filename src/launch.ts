#!/usr/bin/env node
/**
 * The `mcp-gen` executable (dist/mcp-gen.cjs): runs the generator's bundle, dist/generator.cjs,
 * from V8's code cache, as generated servers run theirs (runtime/boot.ts).
 *
 * Compiling the 2.4 MB bundle took ~0.1 s of every run, and each function's first call compiled
 * it again; from the cache both take ~15 ms (docs/benchmarks.md). `npm run build` ends with
 * `node dist/mcp-gen.cjs --code-cache`, which generates a bundled example once and keeps what V8
 * compiled on the way (dist/generator.cjs.cache). A cache V8 refuses (another Node version, other
 * V8 flags) or none only means compiling as usual.
 */
// Only what `--version` needs is imported up front: each further module of Node's costs it
// ~1 ms, against a bare `node -e 0` of ~20–40 ms.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const BUNDLE = path.join(here, 'generator.cjs');
const CODE_CACHE = `${BUNDLE}.cache`;
/** Set on the run `--code-cache` starts: write the cache when the process exits. */
const WRITE_CACHE_ENV = 'MCP_GEN_WRITE_CODE_CACHE';
/** What the cache is trained on: an OpenAPI document in YAML, the path most generations take. */
const TRAINING_SPEC = path.join(here, '..', 'specs', 'petstore.yaml');

/** `--code-cache`: one generation with the cache writer on; without it the build still succeeds. */
async function writeCodeCache(cacheFile: string): Promise<void> {
  const [{ spawnSync }, { mkdtempSync, rmSync, statSync }, { tmpdir }] = await Promise.all([import('node:child_process'), import('node:fs'), import('node:os')]);
  // An installed copy ships its cache but not specs/: that cache is left as it is.
  if (!existsSync(TRAINING_SPEC)) {
    process.stderr.write(`warning: no code cache written (${TRAINING_SPEC} is missing)\n`);
    return;
  }
  rmSync(cacheFile, { force: true });
  const out = mkdtempSync(path.join(tmpdir(), 'mcp-gen-code-cache-'));
  try {
    const child = spawnSync(process.execPath, [import.meta.filename, TRAINING_SPEC, '-o', path.join(out, 'petstore')], {
      env: { ...process.env, [WRITE_CACHE_ENV]: '1' },
      encoding: 'utf8',
    });
    if (child.status === 0 && existsSync(cacheFile)) {
      process.stdout.write(`code cache: ${path.relative(process.cwd(), cacheFile)} (${Math.round(statSync(cacheFile).size / 1024)} KB)\n`);
      return;
    }
    rmSync(cacheFile, { force: true });
    const why = child.error?.message ?? child.stderr.trim().split('\n').at(-1) ?? `exit code ${String(child.status)}`;
    process.stderr.write(`warning: no code cache written, mcp-gen runs without it (slower): ${why}\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  // Answered before the bundle loads: a version check should cost no more than Node's start.
  const manifest = JSON.parse(readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { version: string };
  process.stdout.write(`${manifest.version}\n`);
} else if (argv.length === 1 && argv[0] === '--code-cache') {
  void writeCodeCache(CODE_CACHE);
} else {
  const writeCache = process.env[WRITE_CACHE_ENV] === '1';
  delete process.env[WRITE_CACHE_ENV];
  void import('./runtime/bundle-script.js').then(({ runBundle }) => runBundle(BUNDLE, CODE_CACHE, writeCache));
}
