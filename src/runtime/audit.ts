/**
 * The audit log: one JSON line per tool call — when, who, which tool, the outcome, how long, and
 * the NAMES of the arguments. Values are never written, so tokens, keys and passwords passed as
 * arguments cannot reach it; the caller's token is not part of the principal either.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

export interface AuditEvent {
  principal: string;
  tool: string;
  outcome: 'ok' | 'error' | 'denied';
  ms: number;
  arguments: string[];
}

export class AuditLog {
  private readonly stream: WriteStream | undefined;
  private readonly write: ((line: string) => void) | undefined;

  /** `target`: `stderr`, a file path (appended to), or undefined for no audit log. */
  constructor(target: string | undefined, write?: (line: string) => void) {
    if (write) this.write = write;
    else if (target === 'stderr') this.write = (line) => process.stderr.write(line);
    else if (target) {
      this.stream = createWriteStream(target, { flags: 'a' });
      this.write = (line) => this.stream!.write(line);
    }
  }

  record(event: AuditEvent): void {
    this.write?.(`${JSON.stringify({ time: new Date().toISOString(), audit: 'tool_call', ...event })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.stream ? this.stream.end(resolve) : resolve()));
  }
}
