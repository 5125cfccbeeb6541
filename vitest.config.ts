import { configDefaults, defineConfig } from 'vitest/config';

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
          // `*.pg.int.test.ts` need a PostgreSQL server of their own making (a proxy in front
          // of it, say): they run in the postgres project only, rather than as skipped here.
          exclude: [...configDefaults.exclude, 'test/**/*.pg.int.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Compiles the CLI once for the process tests; scans the gateway logs of the whole run
          // for personal data when it ends.
          globalSetup: ['test/helpers/build-cli.ts', 'test/helpers/log-scan.global.ts'],
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['test/store/**/*.int.test.ts', 'test/api/**/*.int.test.ts', 'test/cli/**/*.int.test.ts', 'test/docs/**/*.int.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Compiles the CLI once for the process tests; scans the gateway logs of the whole run
          // for personal data when it ends.
          globalSetup: ['test/helpers/build-cli.ts', 'test/helpers/log-scan.global.ts'],
          env: {
            SGW_TEST_DATABASE_URL: process.env.SGW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          },
        },
      },
    ],
  },
});
