// json-schema-merge-allof ships no types; this is the one call mcp-gen makes (passes/strict-schema.ts).
declare module 'json-schema-merge-allof' {
  export default function mergeAllOf(schema: Record<string, unknown>, options?: Record<string, unknown>): Record<string, unknown>;
}
