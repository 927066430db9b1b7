/**
 * A tool as tools/list sends it. The server lists tools with this function, and the generator
 * checks and measures the same entries before it writes anything.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { ToolDefinition } from './definition.js';

/** A tool's tools/list entry, exactly as the server sends it. */
export function listedTool(tool: ToolDefinition): Tool {
  const listed: Tool = {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
  };
  const title = tool.title ?? tool.annotations.title;
  if (title !== undefined) listed.title = title;
  if (tool.outputSchema !== undefined) listed.outputSchema = tool.outputSchema as Tool['outputSchema'];
  const annotations = listedAnnotations(tool.annotations);
  if (annotations) listed.annotations = annotations;
  return listed;
}

/** What the MCP spec says a client assumes when a hint is absent. */
const HINT_DEFAULTS: Record<string, boolean> = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

/**
 * The hints a client cannot infer, every one of which is paid for on every turn: defaults are
 * left out, and so are destructive/idempotent on a read-only tool (the spec gives them meaning
 * only when readOnlyHint is false) and the title (the tool's own `title` says it since
 * 2025-06-18). The definition keeps them all; the server reads them from there.
 */
function listedAnnotations(annotations: ToolDefinition['annotations']): Tool['annotations'] | undefined {
  const listed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(annotations)) {
    if (value === undefined || key === 'title' || HINT_DEFAULTS[key] === value) continue;
    if (annotations.readOnlyHint === true && (key === 'destructiveHint' || key === 'idempotentHint')) continue;
    listed[key] = value;
  }
  return Object.keys(listed).length > 0 ? (listed as Tool['annotations']) : undefined;
}
