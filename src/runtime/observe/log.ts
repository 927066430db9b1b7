/**
 * JSON-lines logger. It writes to stderr only, because in stdio mode stdout carries the MCP
 * protocol and a single stray byte there corrupts the session.
 *
 * Callers pass only non-secret fields: request headers, URLs with query strings and environment
 * values must never be handed to it. As a second line of defence, fields with secret-like names
 * (see SECRET_NAME) are written as "[redacted]", and bearer credentials and JWTs inside any string
 * are masked, so a careless future log call still cannot leak a caller's token.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Sink for one serialised line (newline included); defaults to stderr. */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. the server name. */
  base?: LogFields;
  /**
   * Keeps recent events for the `logs://server/recent` resource. It receives every event at
   * `info` or above (and `debug` when that is the level) whatever the output level, so a
   * server logging nothing to stderr still shows what it did.
   */
  ring?: LogRing;
}

/**
 * A bounded ring of recent log records, oldest first. Records are kept as logged and redacted
 * only when listed: the ring sees every call's `info` line, and most are never read.
 */
export class LogRing {
  private readonly items: Array<() => LogFields> = [];
  private next = 0;

  constructor(readonly capacity = 200) {}

  push(record: () => LogFields): void {
    if (this.items.length < this.capacity) this.items.push(record);
    else this.items[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  list(): LogFields[] {
    const ordered = this.items.length < this.capacity ? this.items : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
    return ordered.map((record) => record());
  }
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const base = options.base ?? {};
  const ring = options.ring;
  const ringThreshold = Math.min(threshold, RANK.info);

  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    const rank = RANK[level];
    if (rank < threshold && !(ring && rank >= ringThreshold)) return;
    const time = Date.now();
    const format = (): LogFields => ({ time: new Date(time).toISOString(), level, msg: scrub(msg), ...base, ...normalise(fields) });
    ring?.push(format);
    if (rank < threshold) return;
    const record = format();
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      // A cyclic or BigInt field must not take the server down with it.
      line = JSON.stringify({ time: record.time, level, msg, logError: 'unserialisable fields' });
    }
    write(`${line}\n`);
  };

  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that drops everything; handy default for library use and tests. */
export const silentLogger: Logger = createLogger({ level: 'silent' });

/**
 * Names whose values are credentials: arguments, headers or fields called so are never written
 * (the audit log lists such names without values; this logger replaces their values).
 */
export const SECRET_NAME = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|^key$|[-_]key$|authorization|cookie|credential|private|signature/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

const REDACTED = '[redacted]';
/** `Bearer <credential>` / `Basic <credential>` and anything shaped like a JWS (three base64url parts). */
const CREDENTIAL_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*|\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

function scrub(text: string): string {
  return text.replace(CREDENTIAL_IN_TEXT, (match, scheme: string | undefined) => (scheme ? `${scheme} ${REDACTED}` : REDACTED));
}

// Error objects serialise to `{}` with JSON.stringify, which hides exactly what is needed.
function normalise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  return clean(fields, 0) as LogFields;
}

/** Copies a field value with secret-named members redacted and credentials in strings masked. */
function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) return { name: value.name, message: scrub(value.message) };
  if (value === null || typeof value !== 'object') return value;
  // Deeper structures are not expected in log fields; cut them rather than write them unchecked.
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = isSecretName(key) ? REDACTED : clean(item, depth + 1);
  return out;
}
