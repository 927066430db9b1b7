/**
 * JSON / YAML text → value, with line:col for syntax errors and for JSON pointers into the
 * document (used to place semantic errors found later).
 */
import type { Document } from 'yaml';
import { SpecError } from '../diagnostics.js';

export interface Position {
  line: number;
  col: number;
}

export async function parseText(text: string): Promise<unknown> {
  // JSON.parse is an order of magnitude faster than a YAML parser on 10+ MiB specs.
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Fall through: the YAML parser reports the position (JSON is YAML 1.2).
    }
  }
  // Loaded on demand: JSON specs (the common case for large APIs) never need it.
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    const message = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
    throw Object.assign(new SpecError({ message: `invalid YAML/JSON: ${message}` }), { position: { line, col } });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new SpecError({ message: 'the file does not contain a mapping (object) at the top level' }), {
      position: { line: 1, col: 1 },
    });
  }
  return value;
}

/** Line and column of the node at `pointer`, or of its closest existing ancestor. */
export async function locate(text: string, pointer: readonly (string | number)[]): Promise<Position | undefined> {
  const { LineCounter, isNode, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  } catch {
    return undefined;
  }
  for (let n = pointer.length; n >= 0; n--) {
    const node = doc.getIn(pointer.slice(0, n), true);
    if (isNode(node) && node.range) {
      // Point at the key when there is one: that is where a reader looks.
      const keyNode = n > 0 ? findKey(doc, pointer.slice(0, n)) : undefined;
      const offset = keyNode?.range?.[0] ?? node.range[0];
      const { line, col } = lineCounter.linePos(offset);
      return { line, col };
    }
  }
  return undefined;
}

function findKey(doc: Document, pointer: readonly (string | number)[]): { range?: [number, number, number] | null } | undefined {
  const parent = pointer.length > 1 ? doc.getIn(pointer.slice(0, -1), true) : doc.contents;
  const last = pointer[pointer.length - 1];
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] | null } }> } | null)?.items;
  if (!items || typeof last === 'number') return undefined;
  return items.find((p) => p.key && typeof p.key === 'object' && p.key.value === last)?.key;
}
