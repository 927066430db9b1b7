/**
 * Tool and identifier naming. Names must be stable: adding an operation to a spec must not rename
 * the tools that already exist, so a clash is settled by a hash of the operation's own
 * method + path, never by its position among the others.
 */
import { createHash } from 'node:crypto';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Property names that break object-based validators in MCP clients, so they never name an
 * argument or a top-level result field: `constructor` makes zod 3's `record` refuse the whole
 * tools/list of SDK 1.x clients ("expected record, received object"), and `__proto__` is dropped
 * by both zod lines. The rest of Object.prototype's names (and `prototype`) are looked up through
 * the prototype by `obj[name]`/`in` checks in hand-written client code; they are renamed too.
 */
export const UNSAFE_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/**
 * The key OpenAI's Agents SDK (and others) turn a tool name into: every character outside
 * `[A-Za-z0-9]` becomes `_`, so `get-a` and `get_a` would be one tool there.
 */
export function clientToolKey(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Characters outside `[A-Za-z0-9_-]` become `_`; runs collapse; leading/trailing `_` trimmed. */
export function sanitizeName(raw: string): string {
  return raw
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
}

/** `GET /pets/{petId}/toys` → `get_pets_petId_toys`. */
export function nameFromRoute(method: string, path: string): string {
  return sanitizeName(`${method.toLowerCase()}_${path.replace(/[{}]/g, '')}`) || method.toLowerCase();
}

/** Cuts a name to `max` characters, keeping it unique with a hash of `identity`. */
export function fitName(name: string, max: number, identity: string): string {
  if (name.length <= max) return name;
  const hash = shortHash(identity);
  return `${name.slice(0, Math.max(1, max - hash.length - 1)).replace(/[_-]+$/, '')}_${hash}`;
}

export interface NameRequest {
  /** Name asked for (operationId, x-mcp name, or derived from the route). */
  wanted: string;
  /** Stable identity of the operation, e.g. `GET /pets`. */
  identity: string;
  /** The wanted name was given verbatim by the author and is already valid. */
  verbatim: boolean;
}

/**
 * Assigns final names. A verbatim valid name keeps its name; every other member of a clash gets
 * `_<hash of identity>`, so its name does not depend on which other operations exist.
 */
export function assignNames(requests: readonly NameRequest[], maxLength: number): string[] {
  const base = requests.map((r) => fitName(sanitizeName(r.wanted) || 'tool', maxLength, r.identity));
  const names = [...base];
  // A clash that survives a 6-digit hash (two cut names whose hashes collide: likely among the
  // thousands of MS Graph operations) is settled with longer hashes of the same identities.
  for (let hashLength = 6; hashLength <= 64; hashLength += 2) {
    // Names clash when clients would see one name: `get-a` and `get_a` are both `get_a` to some.
    const byKey = new Map<string, number[]>();
    names.forEach((n, i) => {
      const key = clientToolKey(n);
      byKey.set(key, [...(byKey.get(key) ?? []), i]);
    });
    const clashes = [...byKey].filter(([, members]) => members.length > 1);
    if (clashes.length === 0) return names;
    for (const [key, members] of clashes) {
      // A verbatim name keeps itself; among several, the one already in the clients' form.
      const verbatim = members.filter((i) => requests[i]!.verbatim && requests[i]!.wanted === names[i]);
      // Else the smallest identity: which one keeps its name must not depend on spec order.
      const keeper = verbatim.find((i) => names[i] === key) ?? [...verbatim].sort((x, y) => (requests[x]!.identity < requests[y]!.identity ? -1 : 1))[0];
      for (const i of members) {
        if (i === keeper) continue;
        const hash = shortHash(requests[i]!.identity, hashLength);
        names[i] = `${base[i]!.slice(0, Math.max(1, maxLength - hash.length - 1))}_${hash}`;
      }
    }
  }
  throw new Error('tool names could not be made unique: two operations share an identity');
}

/** `Swagger Petstore - OpenAPI 3.0` → `swagger-petstore-openapi-3-0` (npm-safe). */
export function packageName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'mcp-server';
}

/** `petstore-api` → `PETSTORE_API`. */
export function envName(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().replace(/[^A-Z0-9]+/g, '_'))
    .join('_')
    .replace(/_{2,}/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, '_$1');
}
