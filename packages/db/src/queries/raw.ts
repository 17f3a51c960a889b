import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "../types.ts";

/** Rows of a `db.execute` result: postgres.js answers with an array of rows, PGlite with `{ rows }`. */
export function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? rows : [];
}

// Only renders SQL to text + params; the same for every database (no casing option is used).
const dialect = new PgDialect();

/**
 * `db.execute(query)` as a named prepared statement, for raw SQL on a hot path (Drizzle's
 * `execute` has no `.prepare()`). Unnamed, postgres.js sends every parameterized statement
 * twice (describe first, for the parameter types, then execute) and Postgres parses it again;
 * named, the connection keeps it and one round trip executes it. `name` only has to be
 * defined: postgres.js keys its statements by text. A no-op on PGlite, and with
 * DB_POOLER=transaction, where the client prepares nothing. Same result shape as `execute`.
 */
export function executePrepared(db: Database, name: string, query: SQL): Promise<unknown> {
  return db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute();
}
