/**
 * The start from V8's code cache, of generated servers (runtime/boot.ts) and of the generator
 * itself (launch.ts): `npm run build` writes a cache V8 takes, a
 * server whose cache does not fit (another Node, another bundle, a damaged file) or is missing
 * starts all the same, and a build whose server cannot start warns and leaves no cache instead
 * of failing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../src/runtime/bundle-script.js';
import { connectStdio, linkNodeModules, REPO, tempDir } from '../helpers/project.js';

const PETSTORE = path.join(REPO, 'generated', 'petstore');
const dirs: string[] = [];

/** A copy of the built petstore (dist and definition), with the repo's node_modules linked. */
function builtCopy(): string {
  const dir = tempDir('code-cache');
  dirs.push(dir);
  for (const entry of ['dist', 'server-definition.json', 'package.json']) cpSync(path.join(PETSTORE, entry), path.join(dir, entry), { recursive: true });
  linkNodeModules(dir);
  return dir;
}

/** The build's last step, `node dist/index.js --code-cache`, run in the project as npm runs it. */
function writeCodeCache(dir: string) {
  return spawnSync(process.execPath, [path.join(dir, 'dist', 'index.js'), '--code-cache'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('code cache', () => {
  it('is written by the build and taken by V8', () => {
    const cache = path.join(PETSTORE, 'dist', 'server.cjs.cache');
    expect(statSync(cache).size).toBeGreaterThan(100_000);
    expect(compileBundle(path.join(PETSTORE, 'dist', 'server.cjs'), readFileSync(cache)).cache).toBe('taken');
  });

  it("is refused for a bundle changed in place, even of the same length (V8 compares only lengths)", () => {
    const dir = builtCopy();
    const bundle = path.join(dir, 'dist', 'server.cjs');
    const text = readFileSync(bundle, 'utf8');
    const changed = text.replace('"ready on stdio"', '"READY ON STDIO"');
    expect(changed).not.toBe(text);
    expect(changed.length).toBe(text.length);
    writeFileSync(bundle, changed);
    expect(compileBundle(bundle, readFileSync(path.join(dir, 'dist', 'server.cjs.cache'))).cache).toBe('refused');
  });

  it('a cache that does not fit, or none, only means compiling: the server starts, lists its tools, and says why it is slower', async () => {
    const dir = builtCopy();
    const cache = path.join(dir, 'dist', 'server.cjs.cache');
    const taken = readFileSync(cache);
    // This bundle's hash, then data V8 cannot use (as from another Node version).
    writeFileSync(cache, Buffer.concat([taken.subarray(0, 32), Buffer.from('not V8 code cache data')]));
    expect(compileBundle(path.join(dir, 'dist', 'server.cjs'), readFileSync(cache)).cache).toBe('refused');
    for (const [damage, warned] of [[() => undefined, true], [() => rmSync(cache), false]] as const) {
      damage();
      const server = await connectStdio(dir, { MCP_LOG_LEVEL: 'warn' });
      try {
        const { tools } = await server.client.listTools();
        expect(tools.map((t) => t.name)).toContain('getPetById');
        expect(server.stderr().includes('the code cache in dist/ does not fit'), server.stderr()).toBe(warned);
      } finally {
        await server.close();
      }
    }
  });

  it('a server that cannot start at build time leaves a warning and no cache, and the build goes on', () => {
    const dir = builtCopy();
    rmSync(path.join(dir, 'server-definition.json'));
    const run = writeCodeCache(dir);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning: no code cache written, the server starts without it \(slower\): .*server-definition\.json/);
    expect(existsSync(path.join(dir, 'dist', 'server.cjs.cache'))).toBe(false);
  });

  it('--code-cache rewrites the cache from a start and a listing', () => {
    const dir = builtCopy();
    const cache = path.join(dir, 'dist', 'server.cjs.cache');
    rmSync(cache);
    const run = writeCodeCache(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^code cache: dist[\\/]server\.cjs\.cache \(\d+ KB\)/);
    expect(compileBundle(path.join(dir, 'dist', 'server.cjs'), readFileSync(cache)).cache).toBe('taken');
  });
});

describe("the generator's code cache", () => {
  /** mcp-gen installed afresh: its own dist/, the rest of the package linked from the repo. */
  function installedCopy(): string {
    const dir = tempDir('generator-cache');
    dirs.push(dir);
    cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
    for (const entry of ['package.json', 'templates', 'schemas', 'src', 'specs', 'node_modules']) symlinkSync(path.join(REPO, entry), path.join(dir, entry));
    return dir;
  }
  const generate = (dir: string, out: string) =>
    spawnSync(process.execPath, [path.join(dir, 'dist', 'mcp-gen.cjs'), path.join(REPO, 'specs', 'petstore.yaml'), '-o', out], { encoding: 'utf8' });

  it('is written by the build and taken by V8', () => {
    const cache = path.join(REPO, 'dist', 'generator.cjs.cache');
    expect(statSync(cache).size).toBeGreaterThan(500_000);
    expect(compileBundle(path.join(REPO, 'dist', 'generator.cjs'), readFileSync(cache)).cache).toBe('taken');
  });

  it('a cache that does not fit, or none, only means compiling; --code-cache writes one V8 takes', () => {
    const dir = installedCopy();
    const cache = path.join(dir, 'dist', 'generator.cjs.cache');
    writeFileSync(cache, Buffer.concat([readFileSync(cache).subarray(0, 32), Buffer.from('not V8 code cache data')]));
    expect(compileBundle(path.join(dir, 'dist', 'generator.cjs'), readFileSync(cache)).cache).toBe('refused');
    const refused = generate(dir, path.join(dir, 'refused'));
    expect(refused.stderr).toMatch(/generated 9 tools/);
    rmSync(cache);
    const none = generate(dir, path.join(dir, 'none'));
    expect(none.stderr).toMatch(/generated 9 tools/);
    expect(readFileSync(path.join(dir, 'none', 'server-definition.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'refused', 'server-definition.json'), 'utf8'));
    const written = spawnSync(process.execPath, [path.join(dir, 'dist', 'mcp-gen.cjs'), '--code-cache'], { cwd: dir, encoding: 'utf8' });
    expect(written.stdout).toMatch(/^code cache: dist[\\/]generator\.cjs\.cache \(\d+ KB\)/);
    expect(compileBundle(path.join(dir, 'dist', 'generator.cjs'), readFileSync(cache)).cache).toBe('taken');
  });
});
