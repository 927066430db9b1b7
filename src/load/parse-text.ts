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

/** Finds the line and column of the node at a JSON pointer, or of its closest existing ancestor. */
export type Locate = (pointer: readonly (string | number)[]) => Promise<Position | undefined>;

/** A locator over `text`; the document is parsed once, on the first lookup (many warnings, one parse). */
export function locator(text: string): Locate {
  let lookup: Promise<Locate> | undefined;
  return async (pointer) => {
    // JSON gets a JSON parser with offsets: the YAML parser takes seconds on multi-MiB JSON specs.
    lookup ??= /^\s*[{[]/.test(text) ? jsonLocator(text) : yamlLocator(text);
    return (await lookup)(pointer);
  };
}

async function jsonLocator(text: string): Promise<Locate> {
  const [{ default: jsonc }, { LineCounter }] = await Promise.all([import('jsonc-parser'), import('yaml')]);
  const tree = jsonc.parseTree(text);
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return async (pointer) => {
    if (!tree) return undefined;
    for (let n = pointer.length; n >= 0; n--) {
      const node = jsonc.findNodeAtLocation(tree, pointer.slice(0, n) as (string | number)[]);
      if (!node) continue;
      // Point at the key when there is one: that is where a reader looks.
      const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      return lines.linePos((key ?? node).offset);
    }
    return undefined;
  };
}

async function yamlLocator(text: string): Promise<Locate> {
  const { LineCounter, isNode, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  } catch {
    return async () => undefined;
  }
  return async (pointer) => {
    for (let n = pointer.length; n >= 0; n--) {
      const node = doc.getIn(pointer.slice(0, n), true);
      if (isNode(node) && node.range) {
        const keyNode = n > 0 ? findKey(doc, pointer.slice(0, n)) : undefined;
        return lineCounter.linePos(keyNode?.range?.[0] ?? node.range[0]);
      }
    }
    return undefined;
  };
}

function findKey(doc: Document, pointer: readonly (string | number)[]): { range?: [number, number, number] | null } | undefined {
  const parent = pointer.length > 1 ? doc.getIn(pointer.slice(0, -1), true) : doc.contents;
  const last = pointer[pointer.length - 1];
  const items = (parent as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] | null } }> } | null)?.items;
  if (!items || typeof last === 'number') return undefined;
  return items.find((p) => p.key && typeof p.key === 'object' && p.key.value === last)?.key;
}
