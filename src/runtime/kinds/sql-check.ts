/**
 * The checks of the `sql` tool kind that need no database: exactly one read-only SELECT (by
 * node-sql-parser), and the `:name` parameters of a statement. The generator runs them on a
 * spec's statements, so they live apart from the drivers (sql.ts) it must not load.
 */
import { createRequire } from 'node:module';
import type SqlParser from 'node-sql-parser';
import type { SqlDialect } from '../definition.js';

// Required on first use: the parser is 2.5 MB of JavaScript (~0.13 s to load), and the
// generator's bundle holds this module whether or not a spec has SQL tools.
let parser: InstanceType<typeof SqlParser.Parser> | undefined;
const sqlParser = () => (parser ??= new (createRequire(import.meta.url)('node-sql-parser') as typeof SqlParser).Parser());

/** Statement kinds that write, anywhere in the tree (e.g. inside a CTE). */
const WRITING = new Set(['insert', 'update', 'delete', 'replace', 'create', 'drop', 'alter', 'truncate', 'rename', 'grant', 'revoke', 'merge', 'upsert']);

/** Exactly one read-only SELECT in every dialect, or the reason it is not. */
export function checkReadOnlySql(sql: string, dialects: readonly SqlDialect[], options: { allowRecursive?: boolean } = {}): { ok: true } | { ok: false; message: string } {
  for (const dialect of dialects) {
    let ast: unknown;
    try {
      ast = sqlParser().astify(sql, { database: dialect === 'postgresql' ? 'postgresql' : 'sqlite' });
    } catch (err) {
      const detail = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 160) : String(err);
      return { ok: false, message: `this is not one read-only SELECT statement that parses as ${dialect} SQL (${detail})` };
    }
    const statements = Array.isArray(ast) ? ast : [ast];
    if (statements.length !== 1) return { ok: false, message: `only one SELECT statement is allowed; found ${statements.length} statements` };
    const statement = statements[0] as { type?: string; into?: { expr?: unknown } | null; with?: Array<{ recursive?: boolean }> | null };
    if (statement.type !== 'select') return { ok: false, message: `only SELECT is allowed; found ${String(statement.type).toUpperCase()}` };
    if (statement.into?.expr) return { ok: false, message: 'SELECT … INTO writes a table; only plain SELECT is allowed' };
    const writer = findWriter(statement);
    if (writer) return { ok: false, message: `the statement contains ${writer.toUpperCase()}; only reading is allowed` };
    if (options.allowRecursive === false && statement.with?.some((w) => w.recursive)) {
      return { ok: false, message: 'WITH RECURSIVE is not allowed here: SQLite cannot stop a runaway recursive query' };
    }
  }
  return { ok: true };
}

function findWriter(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findWriter(item);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const type = (node as { type?: unknown }).type;
  if (typeof type === 'string' && WRITING.has(type.toLowerCase())) return type;
  for (const value of Object.values(node)) {
    const found = findWriter(value);
    if (found) return found;
  }
  return undefined;
}

/**
 * `:name` parameters outside string literals, quoted identifiers and comments, in order of first
 * use; `::type` casts are not parameters.
 */
export function statementParams(sql: string): string[] {
  const names: string[] = [];
  for (const token of scanParams(sql)) if (!names.includes(token.name)) names.push(token.name);
  return names;
}

export interface ParamToken {
  name: string;
  start: number;
  end: number;
}

export function scanParams(sql: string): ParamToken[] {
  const tokens: ParamToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c);
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ':' && sql[i + 1] === ':') {
      i += 2;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '') && sql[i - 1] !== ':') {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      tokens.push({ name: match[0], start: i, end: i + 1 + match[0].length });
      i += 1 + match[0].length;
    } else {
      i += 1;
    }
  }
  return tokens;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote inside the literal
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}
