import { configDefaults, defineConfig } from 'vitest/config';

// Two projects: `pglite` is the default suite (`npm test`, no server needed);
// `postgres` re-runs the storage and HTTP integration suites against a PostgreSQL
// server named by SGW_TEST_DATABASE_URL (CI uses the local server).
export default defineConfig({
  test: {
    // Every core (vitest's default leaves one idle: on a 2-core machine, one file at a time).
    // Most files spend their time in PGlite on their own thread, so they overlap well.
    maxWorkers: '100%',
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
          // Compiles the CLI once for the process tests; migrates one template database that
          // each file's fresh database loads; scans the gateway logs of the whole run for
          // personal data when it ends.
          globalSetup: ['test/helpers/build-cli.ts', 'test/helpers/pglite-template.global.ts', 'test/helpers/log-scan.global.ts'],
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
