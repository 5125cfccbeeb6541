import { defineConfig } from 'vitest/config';

// Two projects: `pglite` is the default suite (`npm test`, no server needed);
// `postgres` re-runs the storage and HTTP integration suites against a PostgreSQL
// server named by SGW_TEST_DATABASE_URL (CI uses the local server).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'pglite',
          include: ['test/**/*.test.ts'],
          // Scans the gateway logs of the whole run for personal data when it ends.
          globalSetup: ['test/helpers/log-scan.global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['test/store/**/*.int.test.ts', 'test/api/**/*.int.test.ts', 'test/cli/**/*.int.test.ts', 'test/docs/**/*.int.test.ts'],
          globalSetup: ['test/helpers/log-scan.global.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env: {
            SGW_TEST_DATABASE_URL: process.env.SGW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          },
        },
      },
    ],
  },
});
