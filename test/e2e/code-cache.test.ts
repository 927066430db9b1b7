/**
 * The start from V8's code cache (runtime/boot.ts): `npm run build` writes a cache V8 takes, a
 * server whose cache does not fit (another Node, a damaged file) or is missing starts all the
 * same, and a build whose server cannot start warns and leaves no cache instead of failing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('code cache', () => {
  it('is written by the build and taken by V8', () => {
    const cache = path.join(PETSTORE, 'dist', 'server.cjs.cache');
    expect(statSync(cache).size).toBeGreaterThan(100_000);
    const script = compileBundle(path.join(PETSTORE, 'dist', 'server.cjs'), readFileSync(cache));
    expect(script.cachedDataRejected).toBe(false);
  });

  it('a cache V8 refuses, or none, only means compiling: the server starts and lists its tools', async () => {
    const dir = builtCopy();
    const cache = path.join(dir, 'dist', 'server.cjs.cache');
    writeFileSync(cache, Buffer.from('not a V8 code cache'));
    expect(compileBundle(path.join(dir, 'dist', 'server.cjs'), readFileSync(cache)).cachedDataRejected).toBe(true);
    for (const damage of [() => undefined, () => rmSync(cache)]) {
      damage();
      const server = await connectStdio(dir, {});
      try {
        const { tools } = await server.client.listTools();
        expect(tools.map((t) => t.name)).toContain('getPetById');
      } finally {
        await server.close();
      }
    }
  });

  it('a server that cannot start at build time leaves a warning and no cache, and the build goes on', () => {
    const dir = builtCopy();
    rmSync(path.join(dir, 'server-definition.json'));
    const run = spawnSync(process.execPath, [path.join(dir, 'dist', 'index.js'), '--code-cache'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning: no code cache written, the server starts without it \(slower\): .*server-definition\.json/);
    expect(existsSync(path.join(dir, 'dist', 'server.cjs.cache'))).toBe(false);
  });

  it('--code-cache rewrites the cache from a start and a listing', () => {
    const dir = builtCopy();
    const cache = path.join(dir, 'dist', 'server.cjs.cache');
    rmSync(cache);
    const run = spawnSync(process.execPath, [path.join(dir, 'dist', 'index.js'), '--code-cache'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^code cache: dist\/server\.cjs\.cache \(\d+ KB\)/);
    expect(compileBundle(path.join(dir, 'dist', 'server.cjs'), readFileSync(cache)).cachedDataRejected).toBe(false);
  });
});
