/**
 * Generated projects under test: generate, link the repo's node_modules (no npm install per
 * test), compile with the project's own `tsc`, start over stdio or HTTP and connect an SDK Client.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO, 'dist', 'mcp-gen.cjs');

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `mcp-gen-${prefix}-`));
}

/** Runs the built CLI; returns exit code and output instead of throwing. */
export function runCli(args: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** runCli for tests that serve files from this process: execFileSync would block the server. */
export function runCliAsync(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function linkNodeModules(projectDir: string): void {
  const link = path.join(projectDir, 'node_modules');
  if (!existsSync(link)) symlinkSync(path.join(REPO, 'node_modules'), link, 'dir');
}

/** The project's own `npm run build` (tsc, then the bundle); throws with the compiler output on any error. */
export function build(projectDir: string): void {
  linkNodeModules(projectDir);
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: projectDir, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout: string; stderr: string };
    throw new Error(`npm run build failed in ${projectDir}:\n${e.stdout}${e.stderr}`);
  }
}

export interface Connected {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

const cleanEnv = (env: Record<string, string>) => {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
  return { ...base, ...env };
};

export async function connectStdio(projectDir: string, env: Record<string, string>): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(projectDir, 'dist', 'index.js')],
    env: cleanEnv(env),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'mcp-gen-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** Starts the server with MCP_TRANSPORT=http on an ephemeral port and connects over Streamable HTTP. */
export async function connectHttp(projectDir: string, env: Record<string, string>): Promise<Connected & { url: string }> {
  const child = spawn(process.execPath, [path.join(projectDir, 'dist', 'index.js')], {
    // info level: the bound address is read from the start-up log line.
    env: cleanEnv({ ...env, MCP_TRANSPORT: 'http', PORT: '0', HOST: '127.0.0.1', MCP_LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report its address:\n${stderr}`)), 15_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/mcp`);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
  });
  const client = new Client({ name: 'mcp-gen-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    client,
    url,
    stderr: () => stderr + (stdout ? `\n[stdout] ${stdout}` : ''),
    close: async () => {
      await client.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}
