/** A JSON object (not null, not an array): what arguments, settings and bodies are checked to be. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
