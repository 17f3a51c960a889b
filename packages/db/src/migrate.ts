import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Sql } from "postgres";

/** The repository's `drizzle/` folder: generated SQL plus hand-written migrations. */
export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));

// Any constant works; it only has to be the same for every process that migrates.
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies pending migrations on one reserved connection that holds an advisory lock,
 * so servers starting together never run the same migration twice.
 */
export async function migratePostgresClient(client: Sql): Promise<void> {
  const conn = await client.reserve();
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres(conn), { migrationsFolder });
    } finally {
      await conn`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    conn.release();
  }
}

export async function migratePgliteClient(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client), { migrationsFolder });
}
