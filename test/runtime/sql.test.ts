/**
 * The sql kind on real engines: SQLite (a seeded file) and PostgreSQL (TEST_DATABASE_URL; .ci/run
 * installs and starts one). Every write is refused — by the parser check and, underneath it, by
 * the engine — and the tables are unchanged afterwards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerDefinition, SqlDialect } from '../../src/runtime/definition.js';
import { closeSqlSources, sqlBackend } from '../../src/runtime/kinds/sql.js';
import { checkReadOnlySql, statementParams } from '../../src/runtime/kinds/sql-check.js';
import { connect } from './fixtures.js';

const SEED = `
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL);
INSERT INTO items (id, name, price) VALUES (1, 'apple', 3), (2, 'pear', 4), (3, 'plum', 2), (4, 'fig', 9);
`;

const RESULT = {
  type: 'object',
  properties: { columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'object' } }, row_count: { type: 'integer' }, truncated: { type: 'boolean' } },
  required: ['columns', 'rows', 'row_count', 'truncated'],
};

function definition(url: string): ServerDefinition {
  const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });
  return {
    formatVersion: 1,
    server: { name: 'db', version: '1.0.0', envPrefix: 'DB' },
    baseUrls: [],
    auth: [],
    sources: { sql: { main: { url, dialects: ['sqlite', 'postgresql'], seed: 'seed.sql' } } },
    tools: [
      {
        name: 'query',
        description: 'caller SQL',
        inputSchema: object({ sql: { type: 'string' }, max_rows: { type: 'integer' } }, ['sql']),
        outputSchema: RESULT,
        annotations: { readOnlyHint: true },
        binding: { kind: 'sql', source: 'main', query: '${args.sql}', maxRows: '${args.max_rows || `100`}' },
      },
      {
        name: 'cheaper_than',
        description: 'fixed SQL with a parameter',
        inputSchema: object({ price: { type: 'integer' } }, ['price']),
        outputSchema: RESULT,
        annotations: { readOnlyHint: true },
        binding: {
          kind: 'sql',
          source: 'main',
          statement: { sqlite: 'SELECT name FROM items WHERE price < :price ORDER BY id', postgresql: 'SELECT name FROM items WHERE price < :price ORDER BY id' },
          maxRows: 100,
        },
      },
      {
        // As if the definition were edited by hand past the generator's parser check: the engine still refuses.
        name: 'sneaky',
        description: 'writes behind a reader',
        inputSchema: object({}),
        annotations: {},
        binding: { kind: 'sql', source: 'main', statement: { sqlite: 'DELETE FROM items RETURNING id', postgresql: "SELECT nextval('items_seq')" }, maxRows: 10 },
      },
    ],
  };
}

/** Writes and tricks: each must be refused with nothing changed. */
const HOSTILE: Array<[string, SqlDialect[]]> = [
  ["INSERT INTO items (id, name, price) VALUES (9, 'x', 1)", ['sqlite', 'postgresql']],
  ['UPDATE items SET price = 0', ['sqlite', 'postgresql']],
  ['DELETE FROM items', ['sqlite', 'postgresql']],
  ['DROP TABLE items', ['sqlite', 'postgresql']],
  ['SELECT 1; DELETE FROM items', ['sqlite', 'postgresql']],
  ['WITH d AS (DELETE FROM items RETURNING *) SELECT * FROM d', ['sqlite', 'postgresql']],
  ["ATTACH DATABASE 'x.db' AS x", ['sqlite']],
  ['PRAGMA writable_schema = 1', ['sqlite']],
  ['SELECT * INTO copy_of_items FROM items', ['postgresql']],
  ['COPY items TO STDOUT', ['postgresql']],
  ['CREATE TABLE t (x int)', ['sqlite', 'postgresql']],
];

type Rows = { columns: string[]; rows: Array<Record<string, unknown>>; row_count: number; truncated: boolean };

function engineSuite(dialect: SqlDialect, setup: () => Promise<{ url: string; projectDir: string; count: () => Promise<number> }>): void {
  let client: Client;
  let count: () => Promise<number>;

  beforeAll(async () => {
    const env = await setup();
    count = env.count;
    client = await connect(definition(env.url), {}, { backends: { sql: sqlBackend }, projectDir: env.projectDir });
  });
  afterAll(async () => {
    await client?.close();
    await closeSqlSources();
  });

  const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

  it('runs a SELECT and reports columns, rows, row_count and truncated', async () => {
    const result = await call('query', { sql: 'SELECT id, name FROM items ORDER BY id', max_rows: 2 });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(result.structuredContent as Rows).toEqual({ columns: ['id', 'name'], rows: [{ id: 1, name: 'apple' }, { id: 2, name: 'pear' }], row_count: 2, truncated: true });
  });

  it('binds named parameters of fixed statements', async () => {
    const result = await call('cheaper_than', { price: 4 });
    expect((result.structuredContent as Rows).rows).toEqual([{ name: 'apple' }, { name: 'plum' }]);
  });

  it('the engine refuses a write the parser never saw', async () => {
    const before = await count();
    const result = await call('sneaky', {});
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(dialect === 'sqlite' ? /only statements that read data are allowed/ : /read-only transaction/);
    expect(await count()).toBe(before);
  });

  it.each(HOSTILE.filter(([, dialects]) => dialects.includes(dialect)).map(([sql]) => sql))('refuses %s and changes nothing', async (sql) => {
    const before = await count();
    const result = await call('query', { sql });
    expect(result.isError, sql).toBe(true);
    expect(await count()).toBe(before);
  });
}

describe('SQLite', () => {
  let file: string;
  engineSuite('sqlite', async () => {
    const projectDir = mkdtempSync(path.join(tmpdir(), 'mcp-gen-sqlite-'));
    writeFileSync(path.join(projectDir, 'seed.sql'), SEED);
    file = path.join(projectDir, 'data.db');
    return {
      url: 'sqlite:data.db',
      projectDir,
      count: async () => {
        const db = new Database(file, { readonly: true });
        try {
          const row = db.prepare('SELECT count(*) AS n, sum(price) AS total FROM items').get() as { n: number; total: number };
          return row.n * 1000 + row.total;
        } finally {
          db.close();
        }
      },
    };
  });

  it('refuses WITH RECURSIVE in caller SQL (SQLite cannot interrupt it)', async () => {
    expect(checkReadOnlySql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', ['sqlite'], { allowRecursive: false })).toEqual({
      ok: false,
      message: 'WITH RECURSIVE is not allowed here: SQLite cannot stop a runaway recursive query',
    });
  });
});

const PG_URL = process.env.TEST_DATABASE_URL;
// In CI PostgreSQL must be there (.ci/run starts it): a missing URL fails instead of skipping.
const pgRequired = Boolean(process.env.CI);

describe.skipIf(!PG_URL && !pgRequired)('PostgreSQL', () => {
  const admin = new pg.Client({ connectionString: PG_URL });
  engineSuite('postgresql', async () => {
    if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set; .ci/run starts PostgreSQL and sets it');
    await admin.connect();
    await admin.query('DROP TABLE IF EXISTS items; DROP TABLE IF EXISTS copy_of_items; DROP TABLE IF EXISTS t');
    await admin.query(SEED);
    await admin.query('DROP SEQUENCE IF EXISTS items_seq; CREATE SEQUENCE items_seq');
    return {
      url: PG_URL,
      projectDir: tmpdir(),
      count: async () => {
        const { rows } = await admin.query<{ n: string; total: string }>('SELECT count(*) AS n, sum(price) AS total FROM items');
        return Number(rows[0]!.n) * 1000 + Number(rows[0]!.total);
      },
    };
  });
  afterAll(async () => admin.end());

  it('cancels a statement that runs past the deadline', async () => {
    const client = await connect({ ...definition(PG_URL!) }, { MCP_TIMEOUT_MS: '300' }, { backends: { sql: sqlBackend } });
    const started = Date.now();
    const result = await client.callTool({ name: 'query', arguments: { sql: 'SELECT pg_sleep(5)' } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/cancel|timed out/);
    expect(Date.now() - started).toBeLessThan(4000);
    await client.close();
  });
});

describe('checkReadOnlySql and statementParams', () => {
  it('accepts one SELECT in every listed dialect', () => {
    expect(checkReadOnlySql("SELECT name FROM t WHERE a = :a AND b = 'x'", ['sqlite', 'postgresql'])).toEqual({ ok: true });
  });

  it.each([
    ['SELECT 1; SELECT 2', 'only one SELECT statement is allowed; found 2 statements'],
    ['UPDATE t SET a = 1', 'only SELECT is allowed; found UPDATE'],
    ['SELECT * INTO x FROM t', 'SELECT … INTO writes a table'],
  ])('refuses %s', (sql, message) => {
    const check = checkReadOnlySql(sql, ['postgresql']);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.message).toContain(message);
  });

  it('finds :name parameters, not casts, strings or comments', () => {
    expect(statementParams("SELECT a::text, ':no', \"also:no\" FROM t -- :nope\n WHERE x = :x AND y = :y_2 /* :hidden */ OR z = :x")).toEqual(['x', 'y_2']);
  });
});
