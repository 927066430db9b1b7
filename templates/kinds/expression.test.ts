/**
 * Expression tools evaluate arithmetic and nothing else: through the MCP SDK Client, a plain sum is
 * computed, while a function outside the tool's list, an over-long input, a non-finite result and
 * attempts to reach JavaScript are each refused as a tool error.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/runtime/config.js';
import type { ExpressionBinding, ServerDefinition, ToolDefinition } from '../src/runtime/definition.js';
import { expressionBackend } from '../src/runtime/kinds/expression.js';
import { createServer } from '../src/runtime/server.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;

/** Tools whose whole expression is one argument, and that argument's name. */
const tools = definition.tools.flatMap((tool) => {
  const match = tool.binding.kind === 'expression' ? /^\$\{args\.([A-Za-z_]\w*)\}$/.exec(tool.binding.input) : null;
  return match ? [{ tool: tool as ToolDefinition & { binding: ExpressionBinding }, argument: match[1]! }] : [];
});

let client: Client;
beforeAll(async () => {
  const server = createServer(definition, loadConfig(definition, { MCP_AUDIT_LOG: 'off' }), { backends: { expression: expressionBackend } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: 'expression-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client?.close();
});

const text = (r: CallToolResult) => r.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

for (const { tool, argument } of tools) {
  const calculate = async (input: string) => (await client.callTool({ name: tool.name, arguments: { [argument]: input } })) as CallToolResult;

  describe(`${tool.name}: arithmetic only`, () => {
    it('computes 1 + 2 * 3', async () => {
      const r = await calculate('1 + 2 * 3');
      expect(r.isError, text(r)).toBeFalsy();
      expect(JSON.stringify(r.structuredContent ?? text(r))).toMatch(/\b7\b/);
    });

    it('refuses functions outside its list and anything that reaches JavaScript', async () => {
      for (const input of ['evaluate("1+1")', 'import("fs")', 'constructor.constructor("return process")()', '[1,2].map(f)', 'x = 1', 'f(x) = x']) {
        const r = await calculate(input);
        expect(r.isError, `${input} must be refused`).toBe(true);
      }
    });

    it(`refuses input longer than ${tool.binding.maxLength} characters`, async () => {
      const r = await calculate(Array(tool.binding.maxLength).fill('1').join('+'));
      expect(r.isError).toBe(true);
    });

    it('refuses a result that is not a finite number', async () => {
      expect((await calculate('1 / 0')).isError).toBe(true);
    });
  });
}
