import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "./types.ts";

/** Rows of a `db.execute` result: postgres.js answers with an array of rows, PGlite with `{ rows }`. */
export function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? rows : [];
}

/**
 * A timestamp column of raw SQL rendered as ISO text (UTC, milliseconds), so both drivers hand
 * back the same string; `new Date()` it on the way out.
 */
export const isoText = (column: string): SQL => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Only renders SQL to text + params; the same for every database (no casing option is used). */
export const dialect = new PgDialect();

/**
 * `db.execute(query)` as a named prepared statement, for raw SQL on a hot path (Drizzle's
 * `execute` has no `.prepare()`): one round trip instead of describe + execute (docs/query-plans.md).
 * Same result shape as `execute`; a no-op on PGlite and with DB_POOLER=transaction.
 */
export function executePrepared(db: Database, name: string, query: SQL): Promise<unknown> {
  return db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute();
}
