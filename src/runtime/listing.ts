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
  if (tool.title !== undefined) listed.title = tool.title;
  if (tool.outputSchema !== undefined) listed.outputSchema = tool.outputSchema as Tool['outputSchema'];
  const annotations = Object.fromEntries(Object.entries(tool.annotations).filter(([, value]) => value !== undefined));
  if (Object.keys(annotations).length > 0) listed.annotations = annotations;
  return listed;
}
