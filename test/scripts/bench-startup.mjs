// Server start → tools/list over stdio, against the floors under it, measured in turns so that a
// slow moment of the shared machine falls on every row alike:
//   - `node -e 0`: starting Node;
//   - the SDK floor: a one-tool server on @modelcontextprotocol/server, bundled like a generated
//     project, answering initialize and tools/list (what any server on the v2 SDK pays);
//   - each generated project given (default: specs/petstore.yaml generated and built here).
//
//   npm run build && node test/scripts/bench-startup.mjs [rounds] [project dir ...]
//
// Projects must be built (`npm run build`); the default one links this repo's node_modules.
// Children get only PATH, unless INHERIT_ENV=1: then they inherit this environment, as the corpus
// harness's do (where NODE_EXTRA_CA_CERTS is set, Node 20 reads those certificates at every start).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStdioRpc } from './stdio-rpc.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.argv[2] ?? 15);
const given = process.argv.slice(3).map((p) => path.resolve(p));
const childEnv = process.env.INHERIT_ENV === '1' ? { ...process.env } : { PATH: process.env.PATH ?? '' };
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-gen-bench-startup-'));

function linked(project) {
  mkdirSync(project, { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  return project;
}

// The SDK floor, bundled by the same bundler as a generated project.
const floor = linked(path.join(dir, 'sdk-floor'));
writeFileSync(path.join(floor, 'package.json'), JSON.stringify({ type: 'module', private: true }));
writeFileSync(
  path.join(floor, 'server.js'),
  `import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
serveStdio(() => {
  const server = new Server({ name: 'floor', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({ tools: [{ name: 'ping', inputSchema: { type: 'object' } }] }));
  return server;
});
`,
);
writeFileSync(path.join(floor, 'rolldown.config.mjs'), "export default { input: 'server.js', platform: 'node', logLevel: 'warn', output: { dir: 'dist', format: 'esm' } };\n");
execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'rolldown', 'bin', 'cli.mjs'), '-c'], { cwd: floor, stdio: 'pipe' });

const projects = given;
if (projects.length === 0) {
  const project = path.join(dir, 'petstore');
  execFileSync(process.execPath, [path.join(REPO, 'dist', 'mcp-gen.cjs'), path.join(REPO, 'specs', 'petstore.yaml'), '-o', project], { stdio: 'pipe' });
  linked(project);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: project, stdio: 'pipe' });
  projects.push(project);
}

/** Spawn → initialize → tools/list answered, in ms. */
async function startToList(entry) {
  const started = performance.now();
  const server = await startStdioRpc(entry, { ...childEnv, MCP_TRANSPORT: 'stdio' }, '2025-11-25');
  const listed = await server.rpc('tools/list', {});
  const ms = performance.now() - started;
  await server.stop();
  if (!Array.isArray(listed.result?.tools)) throw new Error(`${entry}: no tools in ${JSON.stringify(listed).slice(0, 200)}`);
  return ms;
}

function nodeOnly() {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', env: childEnv });
  return performance.now() - started;
}

const rows = [
  { label: '`node -e 0`', run: nodeOnly },
  { label: 'SDK floor: one-tool `@modelcontextprotocol/server` stdio server, bundled', run: () => startToList(path.join(floor, 'dist', 'server.js')) },
  ...projects.map((p) => ({ label: `\`${path.basename(p)}\` (generated, \`npm run build\`)`, run: () => startToList(path.join(p, 'dist', 'index.js')) })),
];
const samples = rows.map(() => []);
for (const row of rows) await row.run(); // warm the file cache
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, row] of rows.entries()) samples[i].push(await row.run());
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const envNote = process.env.INHERIT_ENV === '1' ? 'inherited environment' : 'environment: PATH only';
console.log(`Node ${process.version}; ${ROUNDS} rounds, in turns; ${envNote}; start → tools/list over stdio, median (min–max) ms\n`);
console.log('| process | median ms | min–max |');
console.log('| --- | ---: | ---: |');
for (const [i, row] of rows.entries()) {
  const xs = samples[i];
  console.log(`| ${row.label} | ${Math.round(median(xs))} | ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))} |`);
}
