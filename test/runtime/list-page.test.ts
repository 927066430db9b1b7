/**
 * tools/list pages: one page up to LIST_PAGE_BYTES (so small and large APIs alike list in one
 * response), then nextCursor pages for listings the SDK's stdio client could not read whole.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { LIST_PAGE_BYTES, listPage } from '../../src/runtime/server.js';
import { connect, petDefinition } from './fixtures.js';

const entry = (name: string, bytes: number) => ({ tool: { name, inputSchema: { type: 'object' } } as Tool, bytes });

describe('listPage', () => {
  it('one page when everything fits', () => {
    expect(listPage([entry('a', 10), entry('b', 10)], undefined)).toEqual({ tools: [expect.objectContaining({ name: 'a' }), expect.objectContaining({ name: 'b' })] });
  });

  it('splits at the byte limit and continues from the cursor; a page always has a tool', () => {
    const half = LIST_PAGE_BYTES / 2;
    const entries = [entry('a', half), entry('b', half), entry('c', LIST_PAGE_BYTES * 2), entry('d', 1)];
    const first = listPage(entries, undefined);
    expect(first.tools.map((t) => t.name)).toEqual(['a', 'b']);
    const second = listPage(entries, first.nextCursor);
    expect(second.tools.map((t) => t.name)).toEqual(['c']);
    const third = listPage(entries, second.nextCursor);
    expect(third).toEqual({ tools: [expect.objectContaining({ name: 'd' })] });
  });

  it.each(['x', '-1', '1.5', '99'])('refuses cursor %j', (cursor) => {
    expect(() => listPage([entry('a', 1)], cursor)).toThrow(/Invalid cursor/);
  });
});

describe('through the SDK client', () => {
  it('a listing over the page size comes in pages that together hold every tool', async () => {
    const def = petDefinition();
    const big = 'x'.repeat(3 * 1024 * 1024);
    def.tools = def.tools.map((t) => ({ ...t, description: big }));
    const client = await connect(def, { API_BASE_URL: 'http://127.0.0.1:9' });
    const first = await client.listTools();
    expect(first.tools.map((t) => t.name)).toEqual(['getPet', 'createPet']);
    const second = await client.listTools({ cursor: first.nextCursor! });
    expect(second.tools.map((t) => t.name)).toEqual(['getStatus']);
    expect(second.nextCursor).toBeUndefined();
    await client.close();
  });
});
