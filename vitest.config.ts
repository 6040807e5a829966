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
    // Worker threads rather than child processes: each file still gets a fresh module graph, but
    // starting a thread costs less CPU than starting a process (measured in docs/development.md),
    // and the suite is bound by CPU. No test relies on a process of its own (chdir, signals, exit).
    pool: 'threads',
    // One module graph per worker, not per file: loading it was 208 s of the run's CPU. Each file
    // still gets its own database, servers and Handoff, built in its own hooks; no test relies on
    // a module evaluated afresh (measured in docs/development.md).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
