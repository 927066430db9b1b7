/**
 * Compiles every committed project under generated/ once, before any test file runs: several
 * files start these servers, and parallel tsc runs writing the same dist/ would race.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build, REPO } from './helpers/project.js';

export default function setup(): void {
  const root = path.join(REPO, 'generated');
  for (const dir of readdirSync(root).sort()) build(path.join(root, dir));
}
