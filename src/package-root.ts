/**
 * The directory mcp-gen is installed in, which holds templates/, schemas/ and src/runtime/.
 * Found by walking up from this module, because the same code runs from three depths: as
 * TypeScript under vitest (src/…), as tsc output (dist/…) and bundled (dist/generator.cjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'templates'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`mcp-gen: no package root (package.json beside templates/) above ${start}; reinstall mcp-gen`);
  }
}

export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export interface PackageManifest {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

let manifest: PackageManifest | undefined;

/** mcp-gen's own package.json: its version, and the dependency ranges generated projects get. */
export function packageManifest(): PackageManifest {
  manifest ??= JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageManifest;
  return manifest;
}
