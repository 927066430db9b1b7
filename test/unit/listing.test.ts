import { describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../src/runtime/definition.js';
import { listedTool } from '../../src/runtime/listing.js';

const tool = (annotations: ToolDefinition['annotations'], title?: string): ToolDefinition => ({
  name: 't',
  ...(title ? { title } : {}),
  description: 'd',
  inputSchema: { type: 'object' },
  annotations,
  binding: { kind: 'http', method: 'GET', path: '/', parameters: [], security: [] },
});

describe('listedTool annotations', () => {
  it('lists only hints a client cannot assume, and no annotations.title', () => {
    expect(listedTool(tool({ title: 'Get', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true }, 'Get')).annotations).toEqual({ readOnlyHint: true });
    expect(listedTool(tool({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true })).annotations).toEqual({ destructiveHint: false });
    expect(listedTool(tool({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false })).annotations).toEqual({ idempotentHint: true, openWorldHint: false });
    expect(listedTool(tool({ readOnlyHint: false, destructiveHint: true, openWorldHint: true }))).not.toHaveProperty('annotations');
  });

  it("keeps a title given only as annotations.title, as the tool's title", () => {
    expect(listedTool(tool({ title: 'Only here' })).title).toBe('Only here');
  });
});
