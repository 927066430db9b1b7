/**
 * What a tool spec declares besides tools: static resources and prompt templates. Prompt texts
 * are `${args.x}` templates rendered with the caller's arguments (JMESPath, never code).
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { GetPromptResult, Prompt, Resource, Server } from '@modelcontextprotocol/server';
import type { ServerDefinition } from './definition.js';
import { renderString } from './template.js';

export function staticResources(definition: ServerDefinition): Resource[] {
  return (definition.resources ?? []).map((r) => ({
    uri: r.uri,
    name: r.name,
    ...(r.title ? { title: r.title } : {}),
    ...(r.description ? { description: r.description } : {}),
    mimeType: r.mimeType,
  }));
}

export function readStaticResource(definition: ServerDefinition, uri: string): { mimeType: string; text: string } | undefined {
  const found = definition.resources?.find((r) => r.uri === uri);
  return found ? { mimeType: found.mimeType, text: found.text } : undefined;
}

/** Registers prompts/list and prompts/get (an empty list when the definition has no prompts). */
export function registerPrompts(server: Server, definition: ServerDefinition): void {
  const prompts = definition.prompts ?? [];
  const listed: Prompt[] = prompts.map((p) => ({
    name: p.name,
    ...(p.title ? { title: p.title } : {}),
    ...(p.description ? { description: p.description } : {}),
    arguments: p.arguments.map((a) => ({ name: a.name, ...(a.description ? { description: a.description } : {}), required: a.required })),
  }));
  server.setRequestHandler('prompts/list', () => ({ prompts: listed }));
  server.setRequestHandler('prompts/get', (request): GetPromptResult => {
    const prompt = prompts.find((p) => p.name === request.params.name);
    if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
    const args: Record<string, string> = request.params.arguments ?? {};
    const missing = prompt.arguments.filter((a) => a.required && !args[a.name]).map((a) => a.name);
    if (missing.length > 0) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Missing required argument(s) for prompt ${prompt.name}: ${missing.join(', ')}`);
    const known = Object.fromEntries(prompt.arguments.map((a) => [a.name, args[a.name] ?? null]));
    return {
      ...(prompt.description ? { description: prompt.description } : {}),
      // Environment references are refused in prompts at generation time; pass none here too.
      messages: prompt.messages.map((m) => ({ role: m.role, content: { type: 'text', text: String(renderString(m.text, { args: known }, {})) } })),
    };
  });
}
