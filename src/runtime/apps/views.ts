/**
 * MCP Apps (extension `io.modelcontextprotocol/ui`): each tool with a view links a
 * `ui://<server>/<tool>` HTML resource from its tools/list entry. Only clients that negotiate
 * the extension see the links and the resources, so every other client gets the same lists as a
 * server without views. The page itself is built by page.ts, loaded with the first read.
 */
import { CLIENT_CAPABILITIES_META_KEY } from '@modelcontextprotocol/server';
import type { Resource, ServerContext, Tool } from '@modelcontextprotocol/server';
import { hasView } from '../definition.js';
import type { ServerDefinition, ToolDefinition } from '../definition.js';
import type { RuntimeConfig } from '../config.js';

export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';

/** Builds a view's page; the generated entry point passes page.ts when the project has views. */
export type ViewPages = () => Promise<{ viewPage: (tool: ToolDefinition, projectDir: string) => Promise<string> }>;

/** Whether these client capabilities (initialize's, or a 2026-07-28 request's) take views. */
export function takesViews(capabilities: unknown): boolean {
  const extensions = (capabilities as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  const ui = extensions?.[UI_EXTENSION] as { mimeTypes?: unknown } | undefined;
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(VIEW_MIME_TYPE);
}

/** The capabilities a request comes with: its own (2026-07-28), else the connection's initialize. */
export function requestCapabilities(ctx: ServerContext, connection: unknown): unknown {
  const envelope = (ctx.mcpReq as { envelope?: Record<string, unknown> }).envelope;
  return envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? connection;
}

export function viewUri(definition: ServerDefinition, tool: string): string {
  return `ui://${definition.server.name}/${tool}`;
}

/** A tools/list entry with its view linked (a copy: the plain entry is shared by every client). */
export function linkView(listed: Tool, definition: ServerDefinition): Tool {
  return { ...listed, _meta: { ...listed._meta, ui: { resourceUri: viewUri(definition, listed.name) } } };
}

/** Whether a server offers views at all: dynamic mode lists meta-tools only, no entry could link one. */
export function offersViews(definition: ServerDefinition, mode: RuntimeConfig['mode']): boolean {
  return mode !== 'dynamic' && definition.tools.some(hasView);
}

/** resources/list entries of the views. */
export function viewResources(definition: ServerDefinition): Resource[] {
  return definition.tools.flatMap((tool) =>
    // Named after its tool, so that the caller's roles filter views as they filter tools.
    hasView(tool) ? [{ uri: viewUri(definition, tool.name), name: tool.name, title: `${tool.title ?? tool.name} (view)`, mimeType: VIEW_MIME_TYPE }] : [],
  );
}

/** The tool whose view this URI names, if any. */
export function viewTool(definition: ServerDefinition, tools: ReadonlyMap<string, ToolDefinition>, uri: string): ToolDefinition | undefined {
  const prefix = `ui://${definition.server.name}/`;
  if (!uri.startsWith(prefix)) return undefined;
  const tool = tools.get(uri.slice(prefix.length));
  return tool && hasView(tool) ? tool : undefined;
}
