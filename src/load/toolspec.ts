/**
 * YAML tool specs (`mcpgen: 1`): text → checked document. Structure is checked against the
 * same JSON Schema editors use (schemas/toolspec-1.json), so the editor and the loader cannot
 * drift apart; every error is located at file:line:col and all of them are reported at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { SpecError } from '../diagnostics.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { Position } from './parse-text.js';

export const TOOLSPEC_SCHEMA_FILE = path.join(PACKAGE_ROOT, 'schemas', 'toolspec-1.json');

/** A tool spec says `mcpgen:` at the top level; anything else goes to the OpenAPI loader. */
export function isToolSpec(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'mcpgen' in raw;
}

export type Pointer = readonly (string | number)[];

export interface ToolSpecDocument {
  value: Record<string, unknown>;
  /** The text of the node at a pointer as written (`1.0`, not the number 1 YAML made of it). */
  sourceAt: (pointer: Pointer) => string | undefined;
  /** line:col of the node at a pointer (its key, when it has one), or of its closest ancestor. */
  locate: (pointer: Pointer) => Position | undefined;
}

/** Parses with duplicate keys refused: in `tools:` a duplicate key is a duplicate tool. */
export function parseToolSpec(text: string): ToolSpecDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const errors = doc.errors.map((err) => {
    const at = lineCounter.linePos(err.pos[0]);
    const message = err.code === 'DUPLICATE_KEY' ? 'duplicate key: each name may appear once in a mapping' : `invalid YAML: ${err.message.split('\n')[0]}`;
    return located(new SpecError({ message, ...(err.code === 'DUPLICATE_KEY' ? { fix: 'rename or remove one of them' } : {}) }), at);
  });
  if (errors.length > 0) throw aggregate(errors);
  // Aliases are capped: a "billion laughs" document must not exhaust memory.
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw located(new SpecError({ message: 'a tool spec is a mapping with mcpgen, server and tools' }), { line: 1, col: 1 });
  }
  return {
    value: value as Record<string, unknown>,
    locate: (pointer) => locateIn(doc, lineCounter, pointer),
    sourceAt: (pointer) => {
      const node = doc.getIn(pointer, true);
      return isNode(node) && node.range ? text.slice(node.range[0], node.range[1]).trim() : undefined;
    },
  };
}

function locateIn(doc: Document, lines: LineCounter, pointer: Pointer): Position | undefined {
  for (let n = pointer.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(pointer.slice(0, n), true);
    if (!isNode(node) || !node.range) continue;
    if (n > 0) {
      const parent = n === 1 ? doc.contents : doc.getIn(pointer.slice(0, n - 1), true);
      const last = pointer[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
        if (pair && isNode(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]);
      } else if (isSeq(parent)) {
        return lines.linePos(node.range[0]);
      }
    }
    return lines.linePos(node.range[0]);
  }
  return undefined;
}

let validator: ValidateFunction | undefined;
let schemaRoot: Record<string, unknown> | undefined;

function compileSchema(): ValidateFunction {
  if (!validator) {
    schemaRoot = JSON.parse(readFileSync(TOOLSPEC_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    // Draft-07: what yaml-language-server supports, and so what editors check as the user types.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    validator = ajv.compile(schemaRoot);
  }
  return validator;
}

/** Checks structure (keys, types, enums, patterns); returns located errors, most useful first. */
export function checkStructure(doc: ToolSpecDocument): SpecError[] {
  const validate = compileSchema();
  if (validate(doc.value)) return [];
  const errors = (validate.errors ?? []).filter(usefulError);
  const seen = new Set<string>();
  const out: SpecError[] = [];
  for (const e of errors) {
    const diagnostic = describe(e, doc);
    const key = `${diagnostic.pointer.join('/')}\0${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(located(new SpecError(diagnostic), doc.locate(diagnostic.pointer)));
  }
  return out;
}

/** anyOf/oneOf/if wrappers repeat what their branches already said. */
function usefulError(e: ErrorObject): boolean {
  return !['anyOf', 'oneOf', 'if', '$ref'].includes(e.keyword);
}

function instancePointer(e: ErrorObject): (string | number)[] {
  if (!e.instancePath) return [];
  return e.instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, pointer: Pointer): unknown {
  let node = root;
  for (const key of pointer) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

function describe(e: ErrorObject, doc: ToolSpecDocument): { message: string; pointer: (string | number)[]; fix?: string } {
  const root = doc.value;
  const pointer = instancePointer(e);
  const where = pointer.length ? pointer.join('.') : 'the top level';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(e);
      const suggestion = allowed.length ? closest(key, allowed) : undefined;
      return {
        message: `unknown key "${key}" in ${where}`,
        pointer: [...pointer, key],
        fix: suggestion && similar(key, suggestion) ? `did you mean "${suggestion}"?` : `allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { message: `${where} is missing "${String(params.missingProperty)}"`, pointer, fix: `add ${String(params.missingProperty)}:` };
    case 'type': {
      const actual = valueAt(root, pointer);
      const written = doc.sourceAt(pointer) ?? String(actual);
      const expected = String(params.type).replace(',', ' or ');
      const description = (e.parentSchema as { description?: string; pattern?: string } | undefined)?.pattern ? (e.parentSchema as { description?: string }).description : undefined;
      const hint =
        description ??
        (expected.includes('string') && (typeof actual === 'number' || typeof actual === 'boolean')
          ? `quote it: "${written}" (YAML reads ${written} as a ${typeof actual})`
          : undefined);
      return { message: `${where} must be ${article(expected)} ${expected}, got ${typeof actual === 'number' || typeof actual === 'boolean' ? written : describeValue(actual)}`, pointer, ...(hint ? { fix: hint } : {}) };
    }
    case 'enum':
      return {
        message: `${where} is ${describeValue(valueAt(root, pointer))}, not one of the allowed values`,
        pointer,
        fix: `use one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { message: `${where} must be ${JSON.stringify(params.allowedValue)}`, pointer, fix: `write ${pointer.join('.')}: ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return { message: `${where} ${describeValue(valueAt(root, pointer))} does not match ${String(params.pattern)}`, pointer, ...patternFix(e) };
    case 'propertyNames':
      return { message: `${where} has an invalid name ${JSON.stringify(params.propertyName)}`, pointer: [...pointer, String(params.propertyName)], fix: 'use lower case letters, digits and _ (starting with a letter)' };
    default:
      return { message: `${where} ${e.message ?? 'is invalid'}`, pointer };
  }
}

function patternFix(e: ErrorObject): { fix: string } | Record<string, never> {
  const description = (e.parentSchema as { description?: string } | undefined)?.description;
  return description ? { fix: description } : {};
}

/** The property names the schema allows where an unknown key was found. */
function allowedKeys(e: ErrorObject): string[] {
  const schema = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {}).filter((k) => k !== '$schema');
}

/** Close enough to suggest: a typo, not a different word. */
function similar(a: string, b: string): boolean {
  return distance(a.toLowerCase(), b.toLowerCase()) <= Math.max(2, Math.floor(b.length / 3));
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}

export function located(error: SpecError, position: Position | undefined): SpecError {
  return Object.assign(error, { position });
}

/** Several errors at once: the first is thrown, the rest ride along and are printed after it. */
export function aggregate(errors: SpecError[]): SpecError {
  const [first, ...rest] = errors;
  return Object.assign(first!, { others: rest });
}
