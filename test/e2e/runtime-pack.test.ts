/**
 * The runtime pack (dist/runtime-files.json, src/emit/runtime-files.ts): an installed mcp-gen
 * copies the runtime from it, whatever times npm gave the files; a checkout takes it only for
 * files not edited since the build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editedSinceBuild, packRuntime, RUNTIME_PACK } from '../../src/emit/runtime-files.js';
import { REPO, tempDir } from '../helpers/project.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const MARK = '// (from the pack)\n';

/** mcp-gen with its own dist/ whose pack marks main.ts, the rest linked from the repo; `checkout` adds tsconfig.json. */
function copyWithMarkedPack(checkout: boolean): string {
  const dir = tempDir('runtime-pack');
  dirs.push(dir);
  cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), { recursive: true });
  for (const entry of ['package.json', 'templates', 'schemas', 'src', 'specs', 'node_modules', ...(checkout ? ['tsconfig.json'] : [])]) symlinkSync(path.join(REPO, entry), path.join(dir, entry));
  const pack = path.join(dir, 'dist', 'runtime-files.json');
  const files = JSON.parse(readFileSync(pack, 'utf8')) as Record<string, { text: string }>;
  files['main.ts']!.text = MARK + files['main.ts']!.text;
  writeFileSync(pack, JSON.stringify(files));
  // Older than every runtime file, as npm leaves a package it unpacked (each file at its own time).
  utimesSync(pack, new Date(0), new Date(0));
  return dir;
}

function generatedMain(dir: string): string {
  const out = path.join(dir, 'out');
  const run = spawnSync(process.execPath, [path.join(dir, 'dist', 'mcp-gen.cjs'), path.join(REPO, 'specs', 'petstore.yaml'), '-o', out], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(path.join(out, 'src', 'runtime', 'main.ts'), 'utf8');
}

describe('runtime pack', () => {
  it('is what the build wrote from src/runtime', () => {
    // npm test builds first, so the pack is this tree's.
    expect(JSON.parse(readFileSync(RUNTIME_PACK, 'utf8'))).toEqual(JSON.parse(packRuntime()));
  });

  it('is copied from in an installed mcp-gen, whatever the files\' times', () => {
    expect(generatedMain(copyWithMarkedPack(false))).toContain(MARK);
  });

  it('in a checkout, gives way to a runtime file edited since the build', () => {
    const main = generatedMain(copyWithMarkedPack(true));
    expect(main).not.toContain(MARK);
    expect(main).toContain(readFileSync(path.join(REPO, 'src', 'runtime', 'main.ts'), 'utf8'));
    const packed = { text: 'x', imports: [], bytes: 1 };
    expect(editedSinceBuild(packed, { size: 1, mtimeMs: 10 }, 10)).toBe(false);
    expect(editedSinceBuild(packed, { size: 1, mtimeMs: 11 }, 10)).toBe(true);
    expect(editedSinceBuild(packed, { size: 2, mtimeMs: 9 }, 10)).toBe(true);
  });
});
