/**
 * Handler tools are wired and run under the server's rules. Every handler tool of the spec has a
 * function in src/handlers.ts (the registry mcp-gen writes), and the registry holds nothing else.
 * Then, with stand-in functions in place of yours, through the MCP SDK Client: a handler sees its
 * arguments with the declared defaults filled in, a ToolError reaches the model as a tool error
 * with its message, a result that breaks the output schema is refused, and a handler that never
 * finishes is stopped at the deadline with its signal aborted.
 *
 * What your handlers answer is yours to pin down: `examples:` in the spec become cases of
 * test/contract.test.ts, and tests of your own can sit beside this file.
 */
import { readFileSync } from 'node:fs';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { handlers } from '../src/handlers.js';
import { loadConfig } from '../src/runtime/config.js';
import type { ServerDefinition } from '../src/runtime/definition.js';
import { handlerBackend, ToolError } from '../src/runtime/handler.js';
import type { AnyToolHandler } from '../src/runtime/handler.js';
import { createServer } from '../src/runtime/server.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;
// Each test sets the deadline it measures (MCP_TIMEOUT_MS), which a tool's own `timeout` would override.
for (const tool of definition.tools) delete tool.timeoutMs;
const tools = definition.tools.filter((t) => t.binding.kind === 'handler');

const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

/** A server whose handler for `name` is `stand`, with a short deadline. */
async function withHandler(name: string, stand: AnyToolHandler): Promise<Client> {
  const config = loadConfig(definition, { MCP_AUDIT_LOG: 'off', MCP_TIMEOUT_MS: '300' });
  const server = createServer(definition, config, { backends: { handler: handlerBackend({ ...handlers, [name]: stand }) } });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'handler-test', version: '0.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  open.push(client);
  return client;
}

const text = (r: CallToolResult) => r.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

/** Valid arguments per tool, synthesised from its input schema when the project was generated. */
const valid = (JSON.parse(readFileSync(new URL('./contract-cases.json', import.meta.url), 'utf8')) as { arguments: Record<string, Record<string, unknown>> }).arguments;

describe(`${definition.server.name}: handlers`, () => {
  it('every handler tool has a function, and only those', () => {
    const names = tools.map((t) => t.name);
    expect(Object.keys(handlers).sort()).toEqual([...names].sort());
    for (const name of names) expect(typeof handlers[name], name).toBe('function');
  });
});

for (const tool of tools) {
  const args = valid[tool.name];
  if (!args) {
    it.skip(`${tool.name}: no valid arguments could be synthesised from its input schema`, () => {});
    continue;
  }
  const defaults = Object.entries((tool.inputSchema.properties ?? {}) as Record<string, { default?: unknown }>).filter(([, s]) => s.default !== undefined);

  describe(`${tool.name}: the server around the handler`, () => {
    it('hands the handler its arguments, with the declared defaults filled in', async () => {
      let seen: Record<string, unknown> | undefined;
      const client = await withHandler(tool.name, (given: Record<string, unknown>) => {
        seen = given;
        throw new ToolError('stop here');
      });
      // The arguments with a default left out: the handler must see the declared defaults.
      const given = Object.fromEntries(Object.entries(args).filter(([name]) => !defaults.some(([d]) => d === name)));
      await client.callTool({ name: tool.name, arguments: given });
      expect(seen).toEqual({ ...given, ...Object.fromEntries(defaults.map(([name, s]) => [name, s.default])) });
    });

    it('reports a ToolError to the model as a tool error with its message', async () => {
      const client = await withHandler(tool.name, () => {
        throw new ToolError('the thing was not found');
      });
      const r = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('the thing was not found');
    });

    // (A wrapped output's value could be of any type; an object output refuses a string.)
    if (tool.outputSchema && !tool.wrapKey) {
      it('refuses a result that does not match the output schema', async () => {
        const client = await withHandler(tool.name, () => 'not an object');
        const r = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
        expect(r.isError).toBe(true);
        expect(text(r)).toMatch(/output schema|not a JSON object/);
      });
    }

    it('stops a handler that never finishes at the deadline and aborts its signal', async () => {
      let signal: AbortSignal | undefined;
      const client = await withHandler(tool.name, (_args, ctx) => {
        signal = ctx.signal;
        return new Promise(() => undefined);
      });
      const started = performance.now();
      const r = (await client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/timed out after 300 ms/);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(signal?.aborted).toBe(true);
    });
  });
}
