/**
 * The definition a local `#/$defs/<name>` reference names, or undefined: for passes that look
 * through one `$ref` (`--client claude|openai` keep `$defs`), and for the server's parsing of
 * JSON text arguments. Names are JSON-pointer escaped and may be percent-encoded; a name like
 * `__proto__` is only ever an own definition.
 */
export function localDefinition(ref: unknown, defs: unknown): Record<string, unknown> | undefined {
  const name = definitionName(ref);
  if (name === undefined || defs === null || typeof defs !== 'object') return undefined;
  const found: unknown = Object.hasOwn(defs, name) ? (defs as Record<string, unknown>)[name] : undefined;
  return found !== null && typeof found === 'object' && !Array.isArray(found) ? (found as Record<string, unknown>) : undefined;
}

/** The definition name of a local `#/$defs/<name>` reference (unescaped), or undefined. */
export function definitionName(ref: unknown): string | undefined {
  const encoded = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1] : undefined;
  if (encoded === undefined) return undefined;
  try {
    return unescapedStep(decodeURIComponent(encoded));
  } catch {
    return undefined;
  }
}

/** One step of a JSON Pointer (RFC 6901): `/` and the name, with `~` and `/` escaped. */
export const pointerStep = (name: string | number) => `/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** A JSON Pointer step's name, `~1` and `~0` unescaped (percent-decoding, where a URI holds it, is the caller's). */
export const unescapedStep = (step: string) => step.replace(/~1/g, '/').replace(/~0/g, '~');
