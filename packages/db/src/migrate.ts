import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { installJobSchema, jobSchemaInstalledQuery } from "./job-schema.ts";
import { migrationsFolder } from "./paths.ts";

// Any constant works; it only has to be the same for every process that migrates.
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies pending migrations, then installs the job queue's schema, over one dedicated
 * connection that holds an advisory lock, so servers starting together never run the same
 * migration twice.
 */
export async function migratePostgresUrl(url: string): Promise<void> {
  const conn = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(conn), { migrationsFolder });
    await installJobSchema({
      exec: async (script) => void (await conn.unsafe(script).simple()),
      installed: async () => Boolean((await conn.unsafe<{ installed: boolean }[]>(jobSchemaInstalledQuery))[0]?.installed),
    });
  } finally {
    // Ending the session releases the advisory lock.
    await conn.end({ timeout: 5 });
  }
}

export async function migratePgliteClient(client: PGlite): Promise<void> {
  // Drizzle's PGlite driver imports PGlite itself: loaded only where PGlite runs (client.ts).
  const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([import("drizzle-orm/pglite"), import("drizzle-orm/pglite/migrator")]);
  await migratePglite(drizzlePglite(client), { migrationsFolder });
  await installJobSchema({
    exec: async (script) => void (await client.exec(script)),
    installed: async () => Boolean((await client.query<{ installed: boolean }>(jobSchemaInstalledQuery)).rows[0]?.installed),
  });
}
