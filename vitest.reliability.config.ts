import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: the whole reliability suite, slow scenarios included. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
