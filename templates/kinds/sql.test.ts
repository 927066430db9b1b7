/**
 * SQL tools are read-only. Every fixed statement is checked again here in each of its dialects,
 * and every tool that takes SQL from the caller is sent each form of write, DDL and stacked
 * statement (one test per form): each must be refused. When the project's default database is a
 * seeded SQLite file, that happens through the MCP SDK Client against a copy made in a temporary
 * directory, the data is shown unchanged afterwards, and the row limit is shown to cut results.
 * (What the tools answer for the spec's own examples is in test/contract.test.ts.)
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
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

/** One of each statement form that changes data, schema or the connection. */
const WRITES = [
  'DELETE FROM t',
  'INSERT INTO t VALUES (1)',
  'UPDATE t SET a = 1',
  'REPLACE INTO t VALUES (1)',
  'DROP TABLE t',
  'CREATE TABLE x (a int)',
  'ALTER TABLE t ADD COLUMN b int',
  'CREATE INDEX i ON t (a)',
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

  if (callerSql.length > 0) {
    it.each(WRITES)('caller SQL %j is refused in every dialect of the source', (sql) => {
      for (const { tool } of callerSql) {
        for (const dialect of sourceOf(tool).dialects) expect(checkReadOnlySql(sql, [dialect]).ok, `${tool.name} (${dialect}): ${sql}`).toBe(false);
      }
    });
  }
});

/** The first tool taking caller SQL whose source defaults to a seeded SQLite file, if any. */
const local = callerSql.find(({ tool }) => {
  const source = sourceOf(tool);
  return /^sqlite:/.test(expandEnv(source.url, {})) && source.seed !== undefined && existsSync(path.join(projectDir, source.seed));
});

/** The argument that sets a tool's row limit, when its maxRows is one. */
const rowLimitArg = (tool: ToolDefinition & { binding: SqlBinding }) =>
  typeof tool.binding.maxRows === 'string' ? /^\$\{args\.([A-Za-z_]\w*)\}$/.exec(tool.binding.maxRows)?.[1] : undefined;

if (local) describe(`${definition.server.name}: ${local.tool.name} against its SQLite database`, () => {
  let client: Client;
  let dir: string;
  const query = async (sql: string, extra: Record<string, unknown> = {}) =>
    (await client.callTool({ name: local.tool.name, arguments: { [local.argument]: sql, ...extra } })) as CallToolResult;
  const schema = 'SELECT type, name, sql FROM sqlite_master ORDER BY name';
  let before: CallToolResult;

  beforeAll(async () => {
    // A copy of the seed in a temporary project directory: the database is created there, not here.
    dir = mkdtempSync(path.join(os.tmpdir(), 'sql-test-'));
    const seed = sourceOf(local.tool).seed!;
    cpSync(path.join(projectDir, seed), path.join(dir, seed), { recursive: true });
    const config = loadConfig(definition, { MCP_AUDIT_LOG: 'off' }, { cwd: dir });
    const server = createServer(definition, config, { backends: { sql: sqlBackend }, projectDir: dir });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: 'sql-test', version: '0.0.0' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    before = await query(schema);
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

  it.each([...WRITES, 'ATTACH DATABASE ":memory:" AS x', 'PRAGMA writable_schema = 1'])('refuses %j', async (sql) => {
    const r = await query(sql);
    expect(r.isError, `${sql} must be refused`).toBe(true);
  });

  it('has left the schema and data as they were', async () => {
    expect(before.isError, JSON.stringify(before.content)).toBeFalsy();
    expect(await query(schema)).toEqual(before);
  });

  const limit = rowLimitArg(local.tool);
  if (limit) {
    it(`returns at most ${limit} rows and says when it cut the result`, async () => {
      const three = 'SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3';
      const r = await query(three, { [limit]: 2 });
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ rows: [{ n: 1 }, { n: 2 }], row_count: 2, truncated: true });
      expect((await query(three, { [limit]: 3 })).structuredContent).toMatchObject({ row_count: 3, truncated: false });
    });
  }
});
