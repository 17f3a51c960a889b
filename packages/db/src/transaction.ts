import { dbTransactionDuration, dbTransactionsInFlight } from "@companion/metrics";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { DomainError } from "./errors.ts";
import { prepareOnce } from "./prepared.ts";
import type { Database } from "./types.ts";

/** The role request code runs under: no BYPASSRLS, so Row Level Security applies (docs/rls.md). */
export const APP_ROLE = "companion_app";

// Any RFC 4122 layout; the version nibble is not checked, Postgres' uuid type does not either.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction scoped to one user, as every request on user data must; the scope
 * reverts at commit or rollback (docs/rls.md). A non-UUID `userId` is UNAUTHORIZED.
 */
export async function withUser<T>(db: Database, userId: string, fn: (tx: Database) => Promise<T>): Promise<T> {
  if (!UUID.test(userId)) throw new DomainError("UNAUTHORIZED", "Invalid user id for user scope");
  // Started and not finished, waiting for a pooled connection included: against the pool
  // size it shows when requests queue for connections (docs/metrics.md).
  dbTransactionsInFlight.inc();
  const startedAt = performance.now();
  try {
    return await scoped(db, userId, fn);
  } finally {
    dbTransactionsInFlight.dec();
    dbTransactionDuration.observe((performance.now() - startedAt) / 1000);
  }
}

const userScope = prepareOnce<{ userId: string; role: string }, null>(
  "user_scope",
  (_db, slot) => sql`select set_config('app.current_user_id', ${slot("userId")}, true),
      set_config('role', ${slot("role")}, true), set_config('plan_cache_mode', 'force_custom_plan', true)`,
  () => null,
);

function scoped<T>(db: Database, userId: string, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Not awaited before `fn` starts: on postgres.js the scope and fn's first query leave in
    // one write (pipelined), a round trip saved on every request. Both run in order on the
    // transaction's connection (PGlite: in call order), and if the scope fails the
    // transaction is aborted, so nothing in `fn` ever runs without it.
    const scoped = userScope(tx, { userId, role: APP_ROLE });
    const [, result] = await Promise.all([scoped, fn(tx)]);
    return result;
  });
}

/**
 * Runs `fn` in `db` when it already is a transaction, otherwise in a new one. Avoids a
 * savepoint (two extra round trips) when a caller such as `withUser` already holds one.
 */
export async function inTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  if (isTransaction(db)) return fn(db);
  return db.transaction(fn);
}

// A plain boolean on purpose: `instanceof` would narrow `db` to PgTransaction<any, ...>.
function isTransaction(db: Database): boolean {
  return db instanceof PgTransaction;
}
