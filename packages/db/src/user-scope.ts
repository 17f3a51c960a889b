import { dbTransactionDuration, dbTransactionsInFlight } from "@companion/metrics";
import { sql } from "drizzle-orm";
import { DomainError } from "./errors.ts";
import { executePrepared } from "./queries/raw.ts";
import type { Database } from "./types.ts";

/** The role request code runs under: no BYPASSRLS, so Row Level Security applies (docs/rls.md). */
export const APP_ROLE = "companion_app";

// Any RFC 4122 layout; the version nibble is not checked, Postgres' uuid type does not either.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction scoped to one user, the way every request touching user data
 * must run. One statement sets, for this transaction only (`set_config(..., true)`):
 *  - `app.current_user_id`, which the Row Level Security policies compare owner columns with;
 *  - `role` = companion_app, a role that does not bypass RLS, even when the connection's
 *    own role owns the tables or is a superuser.
 *  - `plan_cache_mode` = force_custom_plan: hot queries are prepared statements (to save
 *    round trips and parsing), but a generic plan, which Postgres may switch a prepared
 *    statement to after five runs, is costed for an average user: for a user with a long
 *    history it scans all of it (docs/query-plans.md). Custom plans see the actual values.
 * All revert at commit or rollback, so nothing leaks to the next user of a pooled
 * connection. Inside `fn`, rows written must belong to `userId` (e.g. `user_id = userId`),
 * or the insert fails with a row-level security error.
 *
 * Throws DomainError UNAUTHORIZED for a `userId` that is not a UUID: it would otherwise
 * reach Postgres as a cast error in the middle of some policy.
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

function scoped<T>(db: Database, userId: string, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Not awaited before `fn` starts: on postgres.js the scope and fn's first query leave in
    // one write (pipelined), a round trip saved on every request. Both run in order on the
    // transaction's connection (PGlite: in call order), and if the scope fails the
    // transaction is aborted, so nothing in `fn` ever runs without it.
    const scoped = executePrepared(tx, "user_scope", sql`select set_config('app.current_user_id', ${userId}, true),
      set_config('role', ${APP_ROLE}, true), set_config('plan_cache_mode', 'force_custom_plan', true)`);
    const [, result] = await Promise.all([scoped, fn(tx)]);
    return result;
  });
}
