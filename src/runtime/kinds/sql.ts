/**
 * The `sql` tool kind: read-only SQL on SQLite (better-sqlite3) or PostgreSQL (pg).
 *
 * Read-only is enforced twice, because advisory flags get bypassed (MCP Toolbox ran an UPDATE
 * on a "readOnly" tool): node-sql-parser must see exactly one SELECT (no INTO, no data-modifying
 * CTE) for clear messages, and then the engine refuses writes on its own — SQLite is opened
 * read-only and each statement must be a reader that does not write; PostgreSQL runs every call
 * in `BEGIN READ ONLY` with a `statement_timeout`, then rolls back.
 *
 * Time: PostgreSQL is bounded by the call's deadline (statement_timeout). better-sqlite3 cannot
 * interrupt a running statement, so on SQLite caller-supplied SQL may not use WITH RECURSIVE
 * (the one construct that runs unboundedly on a small database); point untrusted SQL at
 * PostgreSQL when its cost matters.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ToolError } from '../backend.js';
import type { ToolExecutor } from '../backend.js';
import { SQL_MAX_ROWS_CAP } from '../definition.js';
import type { SqlBinding, SqlDialect, SqlSource } from '../definition.js';
import { expandEnv, renderTemplate } from '../template.js';
import { checkReadOnlySql, scanParams, statementParams } from './sql-check.js';

export interface SqlResult {
  columns: string[];
  /** One object per row, keyed by column name; values are JSON-safe. */
  rows: Array<Record<string, unknown>>;
  row_count: number;
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------
// Connections

interface Connection {
  dialect: SqlDialect;
  query(sql: string, params: Record<string, unknown>, maxRows: number, timeoutMs: number): Promise<SqlResult>;
  close(): Promise<void>;
}

const connections = new Map<string, Promise<Connection>>();

/** Closes every connection (tests, shutdown). */
export async function closeSqlSources(): Promise<void> {
  const open = [...connections.values()];
  connections.clear();
  await Promise.all(open.map(async (c) => (await c).close()));
}

function connectionFor(source: SqlSource, url: string, projectDir: string): Promise<Connection> {
  const key = `${projectDir}\0${url}`;
  let connection = connections.get(key);
  if (!connection) {
    connection = /^postgres(ql)?:\/\//i.test(url) ? Promise.resolve(openPostgres(url)) : Promise.resolve(openSqlite(source, url, projectDir));
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

function openSqlite(source: SqlSource, url: string, projectDir: string): Connection {
  const match = /^sqlite:(.*)$/i.exec(url);
  if (!match || !match[1]) throw new ToolError('the database URL must be sqlite:<path>, sqlite::memory: or postgres://…');
  const target = match[1] === ':memory:' ? ':memory:' : path.resolve(projectDir, match[1]);
  if (target !== ':memory:' && !existsSync(target)) {
    if (!source.seed) throw new ToolError(`the SQLite database ${match[1]} does not exist`);
    // First start: create the database from the seed, then reopen it read-only below.
    const writer = new Database(target);
    try {
      writer.exec(readFileSync(path.resolve(projectDir, source.seed), 'utf8'));
    } finally {
      writer.close();
    }
  }
  const db = target === ':memory:' ? new Database(':memory:') : new Database(target, { readonly: true, fileMustExist: true });
  return {
    dialect: 'sqlite',
    async query(sql, params, maxRows) {
      let statement: Database.Statement;
      try {
        statement = db.prepare(sql);
      } catch (err) {
        throw new ToolError(`SQLite refused the statement: ${err instanceof Error ? err.message : String(err)}`);
      }
      // `readonly` alone is not enough: ATTACH and some PRAGMAs report readonly without being readers.
      if (!statement.reader || !statement.readonly) throw new ToolError('only statements that read data are allowed');
      const columns = statement.columns().map((c) => c.name);
      const rows: Array<Record<string, unknown>> = [];
      let truncated = false;
      try {
        for (const row of statement.iterate(sqliteParams(params)) as Iterable<Record<string, unknown>>) {
          if (rows.length === maxRows) {
            truncated = true;
            break;
          }
          rows.push(jsonRow(row));
        }
      } catch (err) {
        throw new ToolError(`SQLite: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { columns, rows, row_count: rows.length, truncated };
    },
    async close() {
      db.close();
    },
  };
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null; booleans and objects are converted. */
function sqliteParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? null)]),
  );
}

function openPostgres(url: string): Connection {
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000 });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgresql',
    async query(sql, params, maxRows, timeoutMs) {
      const { text, values } = positional(sql, params);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw new ToolError(`cannot connect to PostgreSQL: ${err instanceof Error ? err.message : String(err)}`);
      }
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
        // A cursor fetches maxRows + 1 rows without rewriting the caller's SQL.
        await client.query({ text: `DECLARE mcp_gen_rows NO SCROLL CURSOR FOR ${text}`, values });
        const result = await client.query(`FETCH ${maxRows + 1} FROM mcp_gen_rows`);
        const truncated = result.rows.length > maxRows;
        const rows = (truncated ? result.rows.slice(0, maxRows) : result.rows).map((r: Record<string, unknown>) => jsonRow(r));
        return { columns: result.fields.map((f) => f.name), rows, row_count: rows.length, truncated };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ToolError(/statement timeout/i.test(message) ? `the query ran longer than ${timeoutMs} ms and was cancelled` : `PostgreSQL: ${message}`);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/** `:name` → `$n`, the same name always the same number. */
function positional(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const order: string[] = [];
  let text = '';
  let at = 0;
  for (const token of scanParams(sql)) {
    let index = order.indexOf(token.name);
    if (index < 0) index = order.push(token.name) - 1;
    text += `${sql.slice(at, token.start)}$${index + 1}`;
    at = token.end;
  }
  text += sql.slice(at);
  return { text, values: order.map((name) => params[name] ?? null) };
}

function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]));
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value;
}

// ---------------------------------------------------------------------------------------------
// The executor

export const sqlBackend: ToolExecutor<SqlBinding> = async (tool, args, ctx) => {
  const binding = tool.binding;
  const source = ctx.definition.sources?.sql?.[binding.source];
  if (!source) throw new ToolError(`unknown SQL source "${binding.source}"; regenerate the server`);
  const env = ctx.config.env;
  const url = expandEnv(source.url, env);
  const connection = await connectionFor(source, url, ctx.projectDir);

  let sql: string;
  if (binding.statement) {
    const fixed = binding.statement[connection.dialect];
    if (!fixed) throw new ToolError(`this tool has no ${connection.dialect} statement; the database URL points at ${connection.dialect}`);
    sql = fixed;
  } else {
    const text = renderTemplate(binding.query, { args }, env);
    if (typeof text !== 'string' || text.trim() === '') throw new ToolError('the SQL query is empty');
    const check = checkReadOnlySql(text, [connection.dialect], { allowRecursive: connection.dialect !== 'sqlite' });
    if (!check.ok) throw new ToolError(check.message);
    sql = text;
  }
  const params = Object.fromEntries(statementParams(sql).map((name) => [name, args[name] ?? null]));
  const requested = Number(renderTemplate(binding.maxRows, { args }, env));
  const maxRows = Math.min(Number.isInteger(requested) && requested > 0 ? requested : 100, SQL_MAX_ROWS_CAP);
  return connection.query(sql, params, maxRows, Math.max(1, ctx.deadlineAt - Date.now()));
};
