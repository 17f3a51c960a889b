import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * One vitest run for the whole monorepo, so the migrated database template is built
 * once per backend. Database tests (`*.test.ts`) run on PGlite, and again on the real
 * Postgres when TEST_DATABASE_URL is set. `*.unit.test.ts` and `*.e2e.test.ts` run once.
 */
const globalSetup = ["./packages/db/src/testing/global-setup.ts"];
const include = ["{apps,packages}/*/{src,test}/**/*.test.ts"];
// Backend-independent files run once: pure unit tests, and process-level e2e tests that
// start the real server binary on its embedded default.
const unit = ["{apps,packages}/*/{src,test}/**/*.unit.test.ts", "{apps,packages}/*/{src,test}/**/*.e2e.test.ts"];

const dbProject = (backend: "pglite" | "postgres"): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name: backend, include, exclude: [...unit, "**/node_modules/**"], env: { TEST_BACKEND: backend }, globalSetup },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      dbProject("pglite"),
      ...(process.env.TEST_DATABASE_URL ? [dbProject("postgres")] : []),
    ],
  },
});
