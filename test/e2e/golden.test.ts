/**
 * generated/ is exactly what the generator emits today: every spec is regenerated into a fresh
 * directory and compared byte for byte. (That the projects compile is proven by examples.test.ts,
 * which builds each with tsc before starting it.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/project.js';

const SPECS = readdirSync(path.join(REPO, 'specs')).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

/** Relative paths of the files in a project, without installed or built output. */
function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir))
    .filter((n) => !(dir === '' && (n === 'node_modules' || n === 'dist')))
    .flatMap((n) => {
      const rel = path.join(dir, n);
      return statSync(path.join(root, rel)).isDirectory() ? listFiles(root, rel) : [rel];
    })
    .sort();
}

describe.each(SPECS)('specs/%s', (spec) => {
  const name = spec.replace(/\.(ya?ml|json)$/, '');
  const committed = path.join(REPO, 'generated', name);

  it('regenerates byte for byte into generated/', () => {
    const fresh = path.join(tempDir('golden'), name);
    const r = runCli([path.join('specs', spec), '-o', fresh]);
    expect(r.code, r.stderr).toBe(0);
    // Files the generator owns are compared byte for byte; the user's (handlers) need only exist,
    // and files a server creates at run time (a SQLite database) are not part of the project.
    const owned = [...Object.keys(JSON.parse(readFileSync(path.join(fresh, 'mcp-gen.manifest.json'), 'utf8')).files), 'mcp-gen.manifest.json'].sort();
    const userOwned = listFiles(fresh).filter((f) => !owned.includes(f));
    expect(listFiles(committed).filter((f) => !/\.db(-journal|-wal|-shm)?$/.test(f))).toEqual(listFiles(fresh));
    for (const f of owned) {
      expect(readFileSync(path.join(committed, f), 'utf8'), `${name}/${f} drifted; run npm run generate:examples`).toBe(readFileSync(path.join(fresh, f), 'utf8'));
    }
    expect(userOwned.every((f) => f.startsWith('src/handlers/'))).toBe(true);
  });

  it('--check agrees that generated/ is up to date', () => {
    const r = runCli([path.join('specs', spec), '-o', committed, '--check']);
    expect(r.code, r.stderr).toBe(0);
  });
});
