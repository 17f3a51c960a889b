import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * One vitest config for the whole monorepo, in four projects:
 *  - unit:     `*.unit.test.ts` and `*.e2e.test.ts` (pure tests, and the real server binary on
 *              its embedded default); run once, need nothing but Node.
 *  - pglite:   `*.test.ts`, on the embedded PGlite.
 *  - postgres: the same `*.test.ts` files again, on the real Postgres (TEST_DATABASE_URL).
 *  - services: `*.services.test.ts`: what needs a real Postgres and Redis by nature (cluster,
 *              cross-process realtime, the worker process, shared rate limits); run once.
 *  - pgbouncer: postgres + services again, with the app's connections through PgBouncer in
 *              transaction mode (TEST_PGBOUNCER_URL; `.ci/run` starts one), and every tRPC call
 *              on the standard adapter instead of the single-call fast path (TEST_TRPC_FAST_PATH).
 * `pnpm test` runs unit + pglite (a machine with only Node passes it); `pnpm test:services`
 * runs postgres + services and fails loudly when Postgres or Redis is missing; `pnpm
 * test:pgbouncer` needs a PgBouncer too. The migrated
 * database template is built once per backend (packages/db/src/testing/global-setup.ts).
 */
const globalSetup = ["./packages/db/src/testing/global-setup.ts"];
const tree = "{apps,packages}/*/{src,test}/**";
const unit = [`${tree}/*.unit.test.ts`, `${tree}/*.e2e.test.ts`];
const services = [`${tree}/*.services.test.ts`];
// Process-level probes (crashes, outages, clustering, Redis limits): what they prove does not
// depend on a pooler, so the PgBouncer run leaves them to test:services (keeps CI short).
const notPoolerRelevant = ["chat-crash", "cluster", "db-outage", "metrics-cluster", "rate-limits", "readiness", "redis", "worker-crash"].map(
  (name) => `${tree}/${name}.services.test.ts`,
);

// The services' addresses: the local defaults unless CI (or you) point elsewhere.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const TEST_REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const TEST_PGBOUNCER_URL = process.env.TEST_PGBOUNCER_URL || "postgres://postgres@127.0.0.1:6432/postgres";
const serviceEnv = { TEST_BACKEND: "postgres", TEST_DATABASE_URL, TEST_REDIS_URL };

const dbProject = (backend: "pglite" | "postgres"): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name: backend,
    include: [`${tree}/*.test.ts`],
    exclude: [...unit, ...services, "**/node_modules/**"],
    env: backend === "postgres" ? serviceEnv : { TEST_BACKEND: backend },
    globalSetup,
  },
});

// A package that builds for outside apps (packages/client) points this condition at its source, so
// the tests here read it without a build (tsconfig `customConditions` says the same to tsc).
// The rest are vitest's defaults for Node (Vite's defaultServerConditions without "module"), which a
// list given here replaces; vitest also passes them to its workers as `--conditions`.
const sourceConditions = ["@companion/source", "node", "development|production"];

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      dbProject("pglite"),
      dbProject("postgres"),
      { extends: true, test: { name: "services", include: services, env: serviceEnv, globalSetup } },
      {
        extends: true,
        test: {
          name: "pgbouncer",
          include: [`${tree}/*.test.ts`],
          exclude: [...unit, ...notPoolerRelevant, "**/node_modules/**"],
          // This run also sends every tRPC call through the standard adapter (TRPC_FAST_PATH=false),
          // so the whole HTTP suite passes on both (apps/server/src/trpc-single-call.ts).
          env: { ...serviceEnv, TEST_PGBOUNCER_URL, TEST_TRPC_FAST_PATH: "false" },
          globalSetup,
        },
      },
    ],
  },
});
