import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The slow reliability scenarios run in `npm run test:reliability`; their fast variants run here.
    exclude: ['**/node_modules/**', '**/*.slow.test.ts'],
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine. Most
    // files spend their time waiting on PostgreSQL, child processes, servers and timers, not on
    // the CPU, so a few files run side by side (measured in docs/development.md).
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
