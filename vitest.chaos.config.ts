import { defineConfig } from 'vitest/config';

// The chaos suite (`npm run chaos`): whole processes killed, Redis restarted, hostile input.
// One file at a time: each scenario owns the machine's two cores and its own redis-server.
export default defineConfig({
  test: {
    name: 'chaos',
    include: ['chaos/**/*.chaos.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
