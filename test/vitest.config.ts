import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests compile and start real servers: generous per-test limits, forked workers.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
