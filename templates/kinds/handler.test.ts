/**
 * Handler tools are wired: every handler tool of the spec has a function in src/handlers.ts (the
 * registry mcp-gen writes), and the registry holds nothing else. Each handler's own behaviour is
 * yours to test, next to it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handlers } from '../src/handlers.js';
import type { ServerDefinition } from '../src/runtime/definition.js';

const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;

describe(`${definition.server.name}: handlers`, () => {
  it('every handler tool has a function, and only those', () => {
    const tools = definition.tools.filter((t) => t.binding.kind === 'handler').map((t) => t.name);
    expect(Object.keys(handlers).sort()).toEqual([...tools].sort());
    for (const name of tools) expect(typeof handlers[name], name).toBe('function');
  });
});
