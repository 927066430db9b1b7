/**
 * Errors and warnings that point at the user's input. A SpecError aborts generation; a warning
 * is reported and generation goes on. Both carry a JSON pointer into the spec so the CLI can turn
 * it into file:line:col.
 */
import { pointerStep, unescapedStep } from './runtime/local-ref.js';

export interface Diagnostic {
  message: string;
  /** Path of keys into the spec document, e.g. ['paths', '/pets', 'get']. */
  pointer?: readonly (string | number)[];
  /** What the user can do about it. */
  fix?: string;
}

export class SpecError extends Error implements Diagnostic {
  readonly pointer?: readonly (string | number)[];
  readonly fix?: string;
  /** Set once the error has been located in a file. */
  location?: string;
  /** Further errors found in the same run, reported after this one. */
  others?: SpecError[];

  constructor(d: Diagnostic) {
    super(d.message);
    this.name = 'SpecError';
    if (d.pointer) this.pointer = d.pointer;
    if (d.fix) this.fix = d.fix;
  }
}

/** A JSON pointer string (`#/paths/~1pets/get`) for a key path. */
export function toPointer(path: readonly (string | number)[]): string {
  return '#' + path.map(pointerStep).join('');
}

/** Key path from a local JSON pointer; undefined when `ref` is not local (`#/...`). */
export function fromPointer(ref: string): string[] | undefined {
  if (ref === '#') return [];
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((s) => unescapedStep(decodeURIComponent(s)));
}

/** `file:line:col: error: message (fix: …)`, the shape editors and CI annotators recognise. */
export function formatDiagnostic(d: Diagnostic & { location?: string }, severity: 'error' | 'warning'): string {
  const where = d.location ? `${d.location}: ` : '';
  const fix = d.fix ? ` (fix: ${d.fix})` : '';
  return `${where}${severity}: ${d.message}${fix}`;
}

/** The output directory cannot be written as asked (not ours, edited files, a failed write); nothing was changed. */
export class WriteError extends Error {}

/**
 * 12345 → "12,345", as `toLocaleString('en')` writes it without loading ICU's locale data for
 * it (~20 ms of a generation that otherwise never touches ICU).
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
