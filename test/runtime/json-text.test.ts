/**
 * runtime/json-text.ts: the texts of a call's arguments are found wherever the listed schema
 * puts them, through properties, items and `$ref` cycles, and the walk copies only what leads to one.
 */
import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../src/runtime/definition.js';
import { mapJsonText } from '../../src/runtime/json-text.js';

/** A tree whose nodes refer to each other: Node → children[] → Node, and a `meta` text on Leaf. */
const tool = {
  name: 'tree',
  inputSchema: {
    type: 'object',
    properties: { root: { $ref: '#/$defs/Node' }, plain: { type: 'object', properties: { deep: { type: 'object' } } } },
    $defs: {
      Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } }, leaf: { $ref: '#/$defs/Leaf' } } },
      Leaf: { type: 'object', properties: { meta: { type: 'string' } } },
    },
  },
  jsonTextArguments: [{ pointer: '/$defs/Leaf/properties/meta', schema: { type: 'object' } }],
} as unknown as ToolDefinition;

describe('mapJsonText', () => {
  it('replaces the texts reached through a cycle of references, at every depth, and says where each is', () => {
    const args = { root: { children: [{ leaf: { meta: '{"a":1}' } }, { children: [{ leaf: { meta: '{}' } }] }], leaf: { meta: 'x' } } };
    const seen: string[] = [];
    const out = mapJsonText(tool, args, (value, _site, where) => {
      seen.push(where);
      return `<${String(value)}>`;
    });
    expect(out).toEqual({ root: { children: [{ leaf: { meta: '<{"a":1}>' } }, { children: [{ leaf: { meta: '<{}>' } }] }], leaf: { meta: '<x>' } } });
    expect(seen.sort()).toEqual(['/root/children/0/leaf/meta', '/root/children/1/children/0/leaf/meta', '/root/leaf/meta']);
    expect(args.root.leaf.meta).toBe('x');
  });

  it('shares what leads to no text instead of copying it, and keeps a __proto__ key an own key', () => {
    const plain = { deep: { big: [1, 2, 3] } };
    const args = JSON.parse('{"root":{"__proto__":{"x":1},"leaf":{"meta":"m"}}}') as Record<string, unknown>;
    args.plain = plain;
    const out = mapJsonText(tool, args, () => 'T');
    expect(out.plain).toBe(plain);
    const root = out.root as Record<string, unknown>;
    expect(Object.hasOwn(root, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(root.leaf).toEqual({ meta: 'T' });
  });
});
