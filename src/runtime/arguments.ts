import type { ToolDefinition } from './definition.js';

/**
 * Tool specs promise that a declared `default` is what the tool sees for an argument left out
 * (clients rarely fill defaults in); top-level arguments only, as declared.
 */
export function withDefaults(tool: ToolDefinition, args: Record<string, unknown>): Record<string, unknown> {
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { default?: unknown }>;
  const filled = { ...args };
  for (const [name, schema] of Object.entries(properties)) {
    if (filled[name] === undefined && schema && typeof schema === 'object' && 'default' in schema) filled[name] = structuredClone(schema.default);
  }
  return filled;
}
