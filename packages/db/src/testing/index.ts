/**
 * Per-test-file databases, copied from the run's migrated template (see global-setup.ts).
 * Tests import this through `@companion/db/testing`.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import { openDatabase } from "../client.ts";
import type { DatabaseHandle } from "../types.ts";
import "./provided.ts";
import { databaseUrlWithName } from "./urls.ts";
import type { Logger } from "drizzle-orm/logger";

export { databaseUrlWithName } from "./urls.ts";

export interface TestDatabase extends DatabaseHandle {
  /** For tests that need a second connection (e.g. a second server process). */
  url: string | undefined;
  /** The database settings a server process on this database needs (postgres only; else empty). */
  env: Record<string, string>;
}

/**
 * The settings that reach database `name` as the app would: directly, or through PgBouncer
 * in transaction mode when TEST_PGBOUNCER_URL is set (`.ci/run` runs the Postgres half of
 * the suite again that way), with the direct URL for LISTEN and migrations.
 */
export function postgresEnvFor(name: string, adminUrl = process.env.TEST_DATABASE_URL): Record<string, string> {
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set (pnpm test:services sets it)");
  const direct = databaseUrlWithName(adminUrl, name);
  const bouncer = process.env.TEST_PGBOUNCER_URL;
  if (!bouncer) return { DATABASE_URL: direct };
  return { DATABASE_URL: databaseUrlWithName(bouncer, name), DB_POOLER: "transaction", DATABASE_DIRECT_URL: direct };
}

/** Opens database `name` the way postgresEnvFor describes. */
export function openTestPostgres(name: string, options: { logger?: Logger; poolSize?: number; adminUrl?: string } = {}): Promise<DatabaseHandle> {
  const env = postgresEnvFor(name, options.adminUrl);
  return openDatabase({
    kind: "postgres",
    url: env.DATABASE_URL ?? "",
    poolSize: options.poolSize ?? 5,
    ...(env.DB_POOLER === "transaction" ? { pooler: "transaction" as const } : {}),
    ...(env.DATABASE_DIRECT_URL ? { directUrl: env.DATABASE_DIRECT_URL } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

export function testBackend(): "pglite" | "postgres" {
  return inject("dbBackend");
}

/** A fresh, migrated, isolated database for one test file. Close it in afterAll. */
export async function createTestDatabase(options: { logger?: Logger; poolSize?: number } = {}): Promise<TestDatabase> {
  if (testBackend() === "pglite") {
    const blob = new Blob([await readFile(inject("pgliteTemplatePath"))]);
    const handle = await openDatabase({ kind: "pglite", loadDataDir: blob, ...options });
    return { ...handle, url: undefined, env: {} };
  }
  const adminUrl = inject("pgAdminUrl");
  const name = `companion_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await createFromTemplate(admin, name, inject("pgTemplateName"));
  } finally {
    await admin.end();
  }
  const env = postgresEnvFor(name, adminUrl);
  const handle = await openTestPostgres(name, { ...options, adminUrl });
  return {
    ...handle,
    url: env.DATABASE_URL,
    env,
    close: async () => {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

async function createFromTemplate(admin: postgres.Sql, name: string, template: string): Promise<void> {
  // CREATE DATABASE ... TEMPLATE refuses while another session copies the same template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      return;
    } catch (err) {
      if (attempt >= 20 || !String((err as Error).message).includes("being accessed")) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}
