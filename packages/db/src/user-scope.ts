import { sql } from "drizzle-orm";
import type { Database } from "./types.ts";

/**
 * Runs `fn` in a transaction scoped to one user: `app.current_user_id` is set with
 * `set_config(..., true)`, so it lasts only for this transaction and cannot leak to the
 * next user of a pooled connection. Row Level Security policies read this setting.
 */
export async function withUser<T>(db: Database, userId: string, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.current_user_id', ${userId}, true)`);
    return fn(tx);
  });
}
