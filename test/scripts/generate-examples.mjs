// Regenerates generated/<name>/ from every specs/<name>.{yaml,yml,json} with the built CLI.
// `--check` writes nothing and exits 1 when a committed project differs from the generator's output.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
let failed = 0;
for (const file of readdirSync(path.join(repo, 'specs')).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()) {
  const name = file.replace(/\.(ya?ml|json)$/, '');
  const args = [path.join(repo, 'dist', 'mcp-gen.cjs'), path.join('specs', file), '-o', path.join('generated', name), ...(check ? ['--check'] : [])];
  try {
    execFileSync(process.execPath, args, { cwd: repo, stdio: 'inherit' });
  } catch {
    failed++;
  }
}
process.exit(failed ? 1 : 0);
