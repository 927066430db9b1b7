/** `500ms`, `30s`, `2m`: the durations of tool specs and of `x-mcp.timeout`. */
export const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/;

/** `250ms`, `30s`, `2m` → milliseconds (the schema has checked the form). */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`bad duration ${text}`);
  const factor = { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Math.round(Number(match[1]) * factor);
}
