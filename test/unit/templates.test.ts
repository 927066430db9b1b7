import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { templatesSource, TARGET } from '../scripts/templates.mjs';

describe('precompiled templates', () => {
  it('are what test/scripts/templates.mjs writes from templates/*.hbs today', () => {
    expect(readFileSync(TARGET as string, 'utf8') === (templatesSource as () => string)(), 'stale: run node test/scripts/templates.mjs').toBe(true);
  });
});
