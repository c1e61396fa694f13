import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store suites create their own PostgreSQL databases; forks keep native
    // modules (better-sqlite3) isolated per file.
    pool: 'forks',
  },
});
