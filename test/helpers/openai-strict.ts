/** Whether the OpenAI Agents SDK's own conversion (`convertSchemasToStrict`) makes an input schema strict. */
import { mcpToFunctionTool } from '@openai/agents';
import type { JsonSchema } from '../../src/runtime/definition.js';

const server = { name: 't', cacheToolsList: false, invalidateToolsCache() {}, callTool: async () => [] } as never;

export function isOpenAiStrict(schema: JsonSchema): boolean {
  // The SDK warns when it falls back to non-strict; the answer is what matters here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return mcpToFunctionTool({ name: 't', description: 't', inputSchema: schema } as never, server, true).strict;
  } finally {
    console.warn = warn;
  }
}
