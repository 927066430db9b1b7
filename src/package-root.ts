/**
 * The directory mcp-gen is installed in, which holds templates/, schemas/ and src/runtime/.
 * Found by walking up from this module, because the same code runs from three depths: as
 * TypeScript under vitest (src/…), as tsc output (dist/…) and bundled (dist/mcp-gen.js,
 * dist/chunks/…).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'templates'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`mcp-gen: no package root (package.json beside templates/) above ${start}; reinstall mcp-gen`);
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
