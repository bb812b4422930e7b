import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Loopback servers and SQLite files are per test file; two cores limit useful parallelism.
    pool: 'forks',
  },
});
