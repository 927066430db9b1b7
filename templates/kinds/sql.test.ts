/**
 * SQL tools are read-only. Every fixed statement is checked again here in each of its dialects,
 * and every tool that takes SQL from the caller is sent writes, DDL and stacked statements: each
 * must be refused. When the project's default database is a seeded SQLite file, that happens
 * through the MCP SDK Client against a copy made in a temporary directory, and the data is shown
 * unchanged afterwards.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition, SqlBinding, ToolDefinition } from '../src/runtime/definition.js';
import { createServer } from '../src/runtime/server.js';
import { closeSqlSources, sqlBackend } from '../src/runtime/kinds/sql.js';
import { checkReadOnlySql } from '../src/runtime/kinds/sql-check.js';
import { expandEnv } from '../src/runtime/template.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;
const projectDir = fileURLToPath(new URL('..', import.meta.url));
const sqlTools = definition.tools.filter((t): t is ToolDefinition & { binding: SqlBinding } => t.binding.kind === 'sql');

/** Tools whose whole query is one argument, and that argument's name. */
const callerSql = sqlTools.flatMap((tool) => {
  const match = /^\$\{args\.([A-Za-z_]\w*)\}$/.exec(tool.binding.query ?? '');
  return match ? [{ tool, argument: match[1]! }] : [];
});

const WRITES = [
  'DELETE FROM t',
  "INSERT INTO t VALUES (1)",
  "UPDATE t SET a = 1",
  'DROP TABLE t',
  'CREATE TABLE x (a int)',
  'SELECT 1; DELETE FROM t',
  'WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone',
];

const sourceOf = (tool: ToolDefinition & { binding: SqlBinding }) => definition.sources!.sql![tool.binding.source]!;

describe(`${definition.server.name}: read-only SQL`, () => {
  it('every fixed statement is one read-only SELECT in each of its dialects', () => {
    for (const tool of sqlTools) {
      for (const [dialect, sql] of Object.entries(tool.binding.statement ?? {})) {
        expect(checkReadOnlySql(sql, [dialect as 'sqlite']), `${tool.name} (${dialect})`).toEqual({ ok: true });
      }
    }
  });

  it.skipIf(callerSql.length === 0)('caller SQL: writes, DDL and stacked statements are refused in every dialect of the source', () => {
    for (const { tool } of callerSql) {
      for (const dialect of sourceOf(tool).dialects) {
        for (const sql of WRITES) expect(checkReadOnlySql(sql, [dialect]).ok, `${tool.name} (${dialect}): ${sql}`).toBe(false);
      }
    }
  });
});

/** The first tool taking caller SQL whose source defaults to a seeded SQLite file, if any. */
const local = callerSql.find(({ tool }) => {
  const source = sourceOf(tool);
  return /^sqlite:/.test(expandEnv(source.url, {})) && source.seed !== undefined && existsSync(path.join(projectDir, source.seed));
});

describe.skipIf(!local)(`${definition.server.name}: ${local?.tool.name ?? 'caller SQL'} against its SQLite database`, () => {
  let client: Client;
  let dir: string;
  const query = async (sql: string) =>
    (await client.callTool({ name: local!.tool.name, arguments: { [local!.argument]: sql } })) as CallToolResult;

  beforeAll(async () => {
    // A copy of the seed in a temporary project directory: the database is created there, not here.
    dir = mkdtempSync(path.join(os.tmpdir(), 'sql-test-'));
    const seed = sourceOf(local!.tool).seed!;
    cpSync(path.join(projectDir, seed), path.join(dir, seed), { recursive: true });
    const config = loadConfig(definition, { MCP_AUDIT_LOG: 'off' }, { cwd: dir });
    const server = createServer(definition, config, { backends: { sql: sqlBackend }, projectDir: dir });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'sql-test', version: '0.0.0' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  });
  afterAll(async () => {
    await client?.close();
    await closeSqlSources();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a SELECT', async () => {
    const r = await query('SELECT 1 AS one');
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ columns: ['one'], rows: [{ one: 1 }], row_count: 1 });
  });

  it('refuses every write without changing the data', async () => {
    const schema = 'SELECT type, name, sql FROM sqlite_master ORDER BY name';
    const before = await query(schema);
    for (const sql of [...WRITES, 'ATTACH DATABASE ":memory:" AS x', 'PRAGMA writable_schema = 1']) {
      const r = await query(sql);
      expect(r.isError, `${sql} must be refused`).toBe(true);
    }
    expect(await query(schema)).toEqual(before);
  });
});
