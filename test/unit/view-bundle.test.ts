import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { viewBundleSource, TARGET } from '../scripts/view-bundle.mjs';

describe('the MCP App view script', () => {
  it('is what test/scripts/view-bundle.mjs builds from templates/apps/view/ today', async () => {
    expect(readFileSync(TARGET as string, 'utf8') === (await (viewBundleSource as () => Promise<string>)()), 'stale: run node test/scripts/view-bundle.mjs').toBe(true);
  }, 60_000);
});
