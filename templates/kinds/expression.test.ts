/**
 * Expression tools evaluate arithmetic and nothing else. Through the MCP SDK Client each tool
 * whose whole expression is one argument computes plain arithmetic, and refuses, as a tool error
 * naming the reason, every form in the table below: the attacks of the mathjs security guide
 * (reaching JavaScript, defining or assigning, importing), the syntax that is not arithmetic, and
 * results that are not finite numbers. Each row is its own test, so a failure names the form.
 */
import { readFileSync } from 'node:fs';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
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

/** [input, part of the refusal, the function it needs allowed]: refused whatever else a tool allows. */
const HOSTILE: Array<[string, string, string?]> = [
  ['import(1)', '"import" at char 1 is not an allowed function'],
  ['evaluate(1)', '"evaluate" at char 1 is not an allowed function'],
  ['require(1)', '"require" at char 1 is not an allowed function'],
  ['cos.constructor("return process")()', 'no property access'],
  ['sqrt["constructor"]', 'matrices, lists and indexing are not allowed'],
  ['constructor', 'unknown name "constructor"'],
  ['__proto__', 'unknown name "__proto__"'],
  ['a = 5', 'assignment (=) is not allowed'],
  ['f(x) = x', 'assignment (=) is not allowed'],
  ['{a: 1}', 'objects are not allowed'],
  ['"abc"', 'strings are not allowed'],
  ['1:100000000', 'ranges (a:b) are not allowed'],
  ['1; 2', 'write a single expression'],
  ['1\n2', 'write a single expression'],
  ['true ? 1 : 2', 'conditionals (a ? b : c) are not allowed'],
  ['2 == 2', 'comparisons are not allowed'],
  ['1 & 3', 'bitwise and logical operators are not allowed'],
  ['2 to 3', 'the operator "to" at char 3 is not allowed'],
  ['1 / 0', 'the result is Infinity'],
  ['sqrt(-1)', 'the result is not a number (NaN)', 'sqrt'],
  ['factorial(100000)', 'factorial of 100000 is too large', 'factorial'],
  ['2 * (3 + 4', 'cannot parse the expression'],
];

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

    const rows = HOSTILE.filter(([, , needs]) => needs === undefined || tool.binding.functions.includes(needs)).map(([input, reason]) => [input, reason] as const);
    it.each(rows)('refuses %j', async (input, reason) => {
      const r = await calculate(input);
      expect(r.isError, `${input} must be refused`).toBe(true);
      expect(text(r)).toContain(reason);
    });

    it(`refuses input longer than ${tool.binding.maxLength} characters`, async () => {
      const r = await calculate(Array(tool.binding.maxLength).fill('1').join('+'));
      expect(r.isError).toBe(true);
    });
  });
}
