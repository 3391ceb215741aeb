import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two workers even on a 2-core machine (vitest's default there is one): the e2e file, which waits on installs,
    // servers and requests much of its time, runs beside the unit files instead of after them.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
