import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The console's TSX compiles with React's automatic runtime, as in web/vite.config.ts.
  esbuild: { jsx: 'automatic' },
  test: {
    // Console tests (web/) run in jsdom, chosen per file with a `// @vitest-environment jsdom` docblock.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store suites create their own PostgreSQL databases; forks keep native
    // modules (better-sqlite3) isolated per file.
    pool: 'forks',
  },
});
