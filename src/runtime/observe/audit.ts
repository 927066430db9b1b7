/**
 * The audit log: one JSON line per tool call — when, who, which tool, the outcome, how long, and
 * the NAMES of the arguments. Values are never written, so tokens, keys and passwords passed as
 * arguments cannot reach it; the caller's token is not part of the principal either.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface AuditEvent {
  /** The token's subject, or `anonymous` without inbound auth. */
  principal: string;
  tool: string;
  /** `denied`: the caller's roles do not grant the tool; `error`: the call ran and failed. */
  outcome: 'ok' | 'error' | 'denied';
  ms: number;
  arguments: string[];
}

/** Argument names are chosen by the caller: keep a line bounded whatever it sends. */
const MAX_ARGUMENT_NAMES = 100;
const MAX_NAME_LENGTH = 128;

export class AuditLog {
  private fd: number | undefined;
  private readonly write: ((line: string) => void) | undefined;

  /**
   * `target`: `stderr`, a file path (appended to), or undefined for no audit log. The file is
   * opened here, so a path that cannot be written stops the server at start-up rather than
   * losing the trail later.
   */
  constructor(target: string | undefined, write?: (line: string) => void) {
    if (write) this.write = write;
    else if (target === 'stderr') this.write = (line) => process.stderr.write(line);
    else if (target) {
      const fd = openSync(target, 'a', 0o600);
      this.fd = fd;
      // Synchronous, O_APPEND writes: each line is on disk, whole and in order, before the call's
      // result is returned, and nothing is lost to a buffer when the process dies.
      this.write = (line) => {
        if (this.fd !== undefined) writeSync(this.fd, line);
      };
    }
  }

  get enabled(): boolean {
    return this.write !== undefined;
  }

  record(event: AuditEvent): void {
    if (!this.write) return;
    const names = event.arguments.slice(0, MAX_ARGUMENT_NAMES).map((name) => (name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name));
    const line = { time: new Date().toISOString(), audit: 'tool_call', ...event, arguments: names };
    this.write(`${JSON.stringify(line)}\n`);
  }

  close(): Promise<void> {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    return Promise.resolve();
  }
}
