/**
 * Dynamic mode (`MCP_MODE=dynamic`): instead of every tool, tools/list carries three meta-tools —
 * search the tools by text, describe one with its schemas, call one by name. An API of any size
 * then costs a few KiB of context, and the model pulls in only the schemas it needs.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import type MiniSearch from 'minisearch';
import type { ToolDefinition } from './definition.js';

export const SEARCH_TOOLS = 'search_tools';
export const DESCRIBE_TOOL = 'describe_tool';
export const CALL_TOOL = 'call_tool';

const DESCRIPTION_EXCERPT = 300;

export function metaTools(apiTitle: string, toolCount: number): Tool[] {
  return [
    {
      name: SEARCH_TOOLS,
      title: 'Search tools',
      description: `Find ${apiTitle} operations (${toolCount} in all) by keywords. Returns names, titles and short descriptions; use ${DESCRIBE_TOOL} for a tool's arguments, then ${CALL_TOOL}.`,
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', minLength: 1, description: 'Keywords, e.g. "list pull requests"' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
        },
        required: ['query'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    {
      name: DESCRIBE_TOOL,
      title: 'Describe a tool',
      description: `The full definition of one tool found with ${SEARCH_TOOLS}: description, input schema, output schema and annotations.`,
      inputSchema: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 } },
        required: ['name'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    {
      name: CALL_TOOL,
      title: 'Call a tool',
      description: `Call a tool by name with arguments that match the input schema from ${DESCRIBE_TOOL}. What the call does depends on the tool: check its annotations first.`,
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          arguments: { type: 'object', description: 'Arguments for the tool', default: {} },
        },
        required: ['name'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
  ];
}

/** Full-text index over names, titles and descriptions, built on the first search. */
export class ToolIndex {
  private index: Promise<MiniSearch<{ id: string; name: string; title: string; description: string }>> | undefined;

  constructor(private readonly tools: readonly ToolDefinition[]) {}

  /** `permitted`: tools this caller may use; others are never returned. */
  async search(query: string, limit: number, permitted: (tool: string) => boolean = () => true): Promise<Array<{ name: string; title?: string; description: string }>> {
    // One build, shared by concurrent first searches.
    this.index ??= this.build();
    const index = await this.index;
    const byName = new Map(this.tools.map((t) => [t.name, t]));
    return index
      .search(query, { filter: (hit) => permitted(String(hit.id)) })
      .slice(0, limit)
      .map((hit) => {
        const tool = byName.get(String(hit.id))!;
        const description = tool.description.length > DESCRIPTION_EXCERPT ? `${tool.description.slice(0, DESCRIPTION_EXCERPT - 1)}…` : tool.description;
        return { name: tool.name, ...(tool.title ? { title: tool.title } : {}), description };
      });
  }

  /** MiniSearch loads with the first search: only dynamic mode searches, and only when asked. */
  private async build() {
    const { default: MiniSearch } = await import('minisearch');
    const index = new MiniSearch<{ id: string; name: string; title: string; description: string }>({
      fields: ['name', 'title', 'description'],
      // Tool names are camelCase or snake_case words: split them so "pull requests" finds pulls_list.
      tokenize: (text) => text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean),
      searchOptions: { boost: { name: 2, title: 1.5 }, prefix: true, fuzzy: 0.2 },
    });
    index.addAll(this.tools.map((t) => ({ id: t.name, name: t.name, title: t.title ?? '', description: t.description })));
    return index;
  }
}

export function jsonResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] };
}
