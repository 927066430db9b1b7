/**
 * `JSON.stringify(value).length`, but stopping as soon as it passes `limit`: checking a size
 * budget then costs at most the budget, not the size of a schema graph that may be megabytes
 * (MS Graph's output schemas pull in thousands of types, only to be dropped for being too large).
 */
/** Characters JSON.stringify escapes in a string (quote, backslash, controls, lone surrogates). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

export function jsonLength(value: unknown, limit = Infinity): number {
  let total = 0;
  const walk = (v: unknown): void => {
    if (total > limit) return;
    switch (typeof v) {
      case 'string':
        total += ESCAPED.test(v) ? JSON.stringify(v).length : v.length + 2;
        return;
      case 'number':
        total += Number.isFinite(v) ? String(v).length : 4;
        return;
      case 'boolean':
        total += v ? 4 : 5;
        return;
      case 'object':
        break;
      default:
        total += 4; // undefined or a function inside an array is written as null
        return;
    }
    if (v === null) {
      total += 4;
      return;
    }
    if (Array.isArray(v)) {
      total += 2 + Math.max(0, v.length - 1);
      for (const item of v) walk(item);
      return;
    }
    let count = 0;
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const item = (v as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function') continue;
      total += (ESCAPED.test(key) ? JSON.stringify(key).length : key.length + 2) + 1 + (count++ > 0 ? 1 : 0);
      walk(item);
      if (total > limit) return;
    }
    total += 2;
  };
  walk(value);
  return total;
}

/**
 * Exact lengths of lowered `$defs` schemas: every tool that refers to one shares the object, and
 * lowering never changes a schema once built, so each is measured once (MS Graph measured its
 * entity types once per referring tool, about 0.15 s).
 */
const defLengths = new WeakMap<object, number>();

/** jsonLength of a shared, never-changed schema object, remembered once it is known exactly. */
export function sharedJsonLength(value: object, limit = Infinity): number {
  const known = defLengths.get(value);
  if (known !== undefined) return known;
  const length = jsonLength(value, limit);
  if (length <= limit) defLengths.set(value, length);
  return length;
}

/** Whether `value` serialises to at most `limit` characters. */
export const fitsJson = (value: unknown, limit: number): boolean => jsonLength(value, limit) <= limit;
