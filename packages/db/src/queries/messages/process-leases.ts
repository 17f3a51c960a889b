import { eq, lt, sql } from "drizzle-orm";
import { processLeases } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** Takes or extends this process's lease until `ttlMs` from now, by the database's clock. */
export async function renewProcessLease(db: Database, params: { id: string; ttlMs: number }): Promise<void> {
  const until = sql`now() + make_interval(secs => ${params.ttlMs / 1000})`;
  await db
    .insert(processLeases)
    .values({ id: params.id, expiresAt: until })
    .onConflictDoUpdate({ target: processLeases.id, set: { expiresAt: until } });
}

/** Gives the lease up at a clean shutdown, so a retry takes this process's exchanges over at once. */
export async function dropProcessLease(db: Database, id: string): Promise<void> {
  await db.delete(processLeases).where(eq(processLeases.id, id));
}

/** Leases that lapsed over an hour ago (processes long gone); the rows only cost space. */
export async function pruneProcessLeases(db: Database): Promise<number> {
  const rows = await db
    .delete(processLeases)
    .where(lt(processLeases.expiresAt, sql`now() - interval '1 hour'`))
    .returning({ id: processLeases.id });
  return rows.length;
}
