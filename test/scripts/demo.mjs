// The README's first command: generate the bundled Petstore spec into a temporary directory,
// compile it, start it over stdio against a loopback stand-in for the Petstore API, list its
// tools and call one, printing what the upstream received.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-gen-demo-')), 'petstore');
const step = (s) => process.stdout.write(`\n▶ ${s}\n`);

step(`mcp-gen specs/petstore.yaml -o ${out}`);
execFileSync(process.execPath, [path.join(repo, 'dist', 'mcp-gen.cjs'), 'specs/petstore.yaml', '-o', out], { cwd: repo, stdio: 'inherit' });

step('npm run build (tsc, then one bundle), with the repo node_modules linked in instead of npm install');
symlinkSync(path.join(repo, 'node_modules'), path.join(out, 'node_modules'), 'dir');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: out, stdio: 'inherit' });

const seen = [];
const upstream = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url} api_key=${req.headers.api_key ?? '-'}`);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 7, name: 'doggie', photoUrls: [], status: 'available' }));
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${upstream.address().port}/api/v3`;

step(`start the server over stdio (API_BASE_URL=${base}) and connect an MCP client`);
const client = new Client({ name: 'mcp-gen-demo', version: '1.0.0' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [path.join(out, 'dist', 'index.js')],
    env: { PATH: process.env.PATH ?? '', API_BASE_URL: base, PETSTORE_API_KEY: 'demo-key', MCP_LOG_LEVEL: 'warn' },
  }),
);
const { tools } = await client.listTools();
console.log(`tools/list: ${tools.length} tools`);
for (const t of tools) console.log(`  ${t.name.padEnd(18)} ${t.annotations?.readOnlyHint ? 'read-only ' : 'writes    '} ${t.title ?? ''}`);

step('tools/call getPetById { petId: 7 }');
const result = await client.callTool({ name: 'getPetById', arguments: { petId: 7 } });
console.log('upstream received:', seen.join('; '));
console.log('structuredContent:', JSON.stringify(result.structuredContent));

step('tools/call getPetById { petId: "seven" } (rejected before any upstream call)');
const bad = await client.callTool({ name: 'getPetById', arguments: { petId: 'seven' } });
console.log(`isError=${bad.isError}:`, bad.content[0]?.text);

await client.close();
upstream.close();
console.log(`\nThe project is in ${out}`);
