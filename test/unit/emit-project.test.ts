/**
 * emitProject on small definitions: which files a project gets for the kinds it uses, what its
 * package.json declares, and the defaults its README and .env.example document.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitProject, type ProjectFile } from '../../src/emit/project.js';
import type { ServerDefinition, ToolDefinition } from '../../src/runtime/definition.js';

const httpTool: ToolDefinition = {
  name: 'get_item',
  description: 'Get an item',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  annotations: { readOnlyHint: true },
  binding: { kind: 'http', method: 'GET', path: '/items/{id}', parameters: [{ name: 'id', in: 'path', arg: 'id', style: 'simple', explode: false }], security: [] },
};

const sqlTool: ToolDefinition = {
  name: 'query',
  description: 'Run a query',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  annotations: { readOnlyHint: true },
  binding: { kind: 'sql', source: 'main', statement: { sqlite: 'SELECT 1 AS one' }, maxRows: 10 },
};

const definition = (tools: ToolDefinition[], extra: Partial<ServerDefinition> = {}): ServerDefinition => ({
  formatVersion: 1,
  server: { name: 'items', version: '1.0.0', envPrefix: 'ITEMS' },
  baseUrls: ['https://api.example.com'],
  auth: [],
  tools,
  ...extra,
});

const emit = (def: ServerDefinition) => emitProject(def, { specFile: 'items.yaml', transport: 'stdio', mode: 'tools' });
const file = (files: ProjectFile[], path: string) => files.find((f) => f.path === path)?.contents ?? '';
const paths = (files: ProjectFile[]) => files.map((f) => f.path);

describe('emitProject', () => {
  it('carries the runtime an HTTP server needs, and no tool kind', async () => {
    const files = await emit(definition([httpTool]));
    expect(paths(files)).toEqual(expect.arrayContaining(['src/runtime/main.ts', 'src/runtime/upstream/http-client.ts', 'src/runtime/transport/serve.ts', 'test/contract.test.ts']));
    expect(paths(files).filter((p) => p.startsWith('src/runtime/kinds/'))).toEqual([]);
    const pkg = JSON.parse(file(files, 'package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('@modelcontextprotocol/server');
    expect(Object.keys(pkg.dependencies)).not.toContain('pg');
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['typescript', 'rolldown', 'vitest', '@types/node']));
  });

  it('builds one bundle and its code cache: tsc checks types, rolldown bundles, and the native drivers and handler packages stay outside', async () => {
    const files = await emit(definition([httpTool]));
    const pkg = JSON.parse(file(files, 'package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts['build']).toBe('tsc -p tsconfig.json --noEmit && rolldown -c && node dist/index.js --code-cache');
    expect(Object.values(pkg.bin)).toEqual(['dist/index.js']);
    // The config module itself, loaded as rolldown loads it.
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-gen-bundler-config-'));
    writeFileSync(path.join(dir, 'rolldown.config.mjs'), file(files, 'rolldown.config.mjs'));
    const { default: bundles } = (await import(pathToFileURL(path.join(dir, 'rolldown.config.mjs')).href)) as {
      default: Array<{ input: string; external: (id: string, importer: string | undefined, isResolved: boolean) => boolean; resolve: { alias: Record<string, string> } }>;
    };
    // The server bundle, and the executable that runs it from the code cache.
    expect(bundles.map((b) => b.input)).toEqual(['src/index.ts', 'src/runtime/boot.ts']);
    const config = bundles[0]!;
    rmSync(dir, { recursive: true });
    // The SDK's node shim is replaced by the project's own, which the project carries.
    expect(config.resolve.alias).toEqual({ '@modelcontextprotocol/server/_shims': path.join(dir, 'src', 'runtime', 'sdk-shims.ts') });
    expect(paths(files)).toEqual(expect.arrayContaining(['src/runtime/sdk-shims.ts', 'src/runtime/boot.ts', 'src/runtime/bundle-script.ts']));
    const external = (id: string, importer: string) => config.external(id, importer, false);
    expect(external('better-sqlite3', '/p/src/runtime/kinds/sql.ts')).toBe(true);
    expect(external('pg', '/p/src/runtime/kinds/sql.ts')).toBe(true);
    // The user's packages: from handlers, and from helper files they add anywhere under src/.
    expect(external('sharp', '/p/src/handlers/resize.ts')).toBe(true);
    expect(external('sharp', 'C:\\p\\src\\handlers\\resize.ts')).toBe(true);
    expect(external('sharp', '/p/src/lib/images.ts')).toBe(true);
    expect(external('./util.js', '/p/src/handlers/resize.ts')).toBe(false);
    expect(external('node:fs', '/p/src/handlers/resize.ts')).toBe(false);
    // The runtime's packages, and what packages import, are bundled; so is every resolved id.
    expect(external('ajv/dist/2020.js', '/p/src/runtime/validate.ts')).toBe(false);
    expect(external('@modelcontextprotocol/server', '/srv/src/app/src/runtime/server.ts')).toBe(false);
    expect(external('zod', '/p/node_modules/@modelcontextprotocol/server/dist/index.mjs')).toBe(false);
    expect(config.external('C:\\p\\src\\handlers\\util.ts', 'C:\\p\\src\\handlers\\resize.ts', true)).toBe(false);
  });

  it('adds a kind with its drivers and their types, its kind test, and registers its executor', async () => {
    const files = await emit(definition([sqlTool], { sources: { sql: { main: { url: 'sqlite::memory:', dialects: ['sqlite'] } } } }));
    expect(paths(files)).toEqual(expect.arrayContaining(['src/runtime/kinds/sql.ts', 'src/runtime/kinds/sql-check.ts', 'test/sql.test.ts']));
    // Registered to load with the first call, so starting the server never loads the SQL parser or drivers.
    expect(file(files, 'src/backends.ts')).not.toMatch(/^import .*kinds\/sql/m);
    expect(file(files, 'src/backends.ts')).toContain("  sql: onFirstCall(async () => (await import('./runtime/kinds/sql.js')).sqlBackend),");
    expect(file(files, 'src/index.ts')).toContain("import { backends } from './backends.js';");
    const pkg = JSON.parse(file(files, 'package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['better-sqlite3', 'node-sql-parser', 'pg']));
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['@types/better-sqlite3', '@types/pg']));
  });

  it("documents the runtime's defaults, or the spec's config where it sets them", async () => {
    const plain = await emit(definition([httpTool]));
    expect(file(plain, '.env.example')).toContain('# MCP_TIMEOUT_MS=30000\n');
    expect(file(plain, 'README.md')).toMatch(/\| `MCP_TIMEOUT_MS` \| [^|]+\| `30000` \|/);

    const tuned = await emit(definition([httpTool], { config: { timeoutMs: 10_000, maxConcurrentTools: 2, retry: { attempts: 1 } } }));
    const env = file(tuned, '.env.example');
    expect(env).toContain('# MCP_TIMEOUT_MS=10000\n');
    expect(env).toContain('# MCP_MAX_CONCURRENT=2\n');
    expect(env).toContain('# MCP_RETRY_ATTEMPTS=1\n');
    expect(env).toContain('# MCP_RETRY_MAX_DELAY_MS=10000\n');
    const readme = file(tuned, 'README.md');
    expect(readme).toMatch(/\| `MCP_TIMEOUT_MS` \| [^|]+\| `10000` \|/);
    expect(readme).toContain('timeout: 10 ');
  });

  it('is deterministic: the same definition gives the same bytes', async () => {
    const a = await emit(definition([httpTool]));
    const b = await emit(definition([httpTool]));
    expect(a).toEqual(b);
  });
});
