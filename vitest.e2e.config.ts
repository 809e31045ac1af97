import { defineConfig } from 'vitest/config';

/** End-to-end tests in headless Chromium (`npm run test:e2e`); kept out of the fast `npm test`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/e2e.json' },
  },
});
