// Runs generated/weather against the real Open-Meteo APIs (needs internet; the test suite uses a
// loopback stand-in instead): `npm run demo:weather-live -- "Lisbon" imperial`.
import { existsSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const project = path.join(repo, 'generated', 'weather');
const [location = 'Paris', units = 'metric'] = process.argv.slice(2);

if (!existsSync(path.join(project, 'node_modules'))) symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'), 'dir');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: project, stdio: 'inherit' });

const client = new Client({ name: 'weather-live', version: '1.0.0' });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(project, 'dist', 'index.js')], env: { PATH: process.env.PATH ?? '', MCP_LOG_LEVEL: 'warn' } }));
const result = await client.callTool({ name: 'weather_api', arguments: { location, units, include_forecast: true } });
console.log(JSON.stringify(result.isError ? result.content : result.structuredContent, null, 2));
await client.close();
process.exit(result.isError ? 1 : 0);
