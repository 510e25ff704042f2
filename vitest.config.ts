import { defineConfig } from 'vitest/config';

// Two projects so the split is visible: unit tests need nothing but Node;
// integration tests talk to real Redis, PostgreSQL/PGlite and the sandbox over HTTP.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.unit.test.ts', 'jobs/**/*.unit.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.integration.test.ts', 'jobs/**/*.integration.test.ts', 'test/integration/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two cores: integration files each start servers; keep the pool small.
          maxWorkers: 2,
        },
      },
    ],
  },
});
