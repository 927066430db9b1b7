/** Header parameters that frame the HTTP message are the HTTP client's, never tool arguments. */
import { describe, expect, it } from 'vitest';
import { buildDefinition } from '../../src/generate.js';

describe('header parameters', () => {
  it('Content-Length and Connection are left out; other headers stay', async () => {
    const { definition } = await buildDefinition({ spec: 'test/fixtures/parameters/framing-headers.yaml', maxNameLength: 64, allowRemoteRefs: false });
    const tool = definition.tools[0]!;
    expect(Object.keys(tool.inputSchema.properties as object).sort()).toEqual(['body', 'hash', 'x-artifact-tag']);
    expect(tool.binding.kind === 'http' && tool.binding.parameters.map((p) => p.name)).toEqual(['hash', 'x-artifact-tag']);
  });
});
