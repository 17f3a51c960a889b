import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/**
 * A Drizzle database over either driver. A transaction is also a `Database`
 * (PgTransaction extends PgDatabase), so query functions shaped `fn(db, params)`
 * run alone or inside a transaction. No relational schema (`db.query.<table>`): with one,
 * Drizzle builds a query builder per table for every transaction, every request's included.
 */
export type Database = PgDatabase<PgQueryResultHKT>;

export type DatabaseKind = "pglite" | "postgres";

/**
 * How another client reaches the same database (the job queue, packages/jobs): the one PGlite
 * instance (a second opener would corrupt it), or the URLs the pool connects with.
 */
export type DatabaseConnection =
  | { kind: "pglite"; client: PGlite }
  | { kind: "postgres"; url: string; pooler: "session" | "transaction"; directUrl: string | undefined; connectTimeoutMs: number };

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  connection: DatabaseConnection;
  /** Round trip to the database; rejects when it does not answer. */
  ping(): Promise<void>;
  /** Applies pending migrations from `drizzle/`. */
  migrate(): Promise<void>;
  /**
   * LISTENs on `channel` (postgres.js: on its own dedicated connection; PGlite: on the one
   * instance) and calls `onPayload` for each NOTIFY. `onListen` runs every time listening
   * is (re)established: notifications sent while the connection was down are lost, so a
   * caller that must not miss any re-reads its source then. Resolves to an unlisten function.
   */
  listen: (channel: string, onPayload: (payload: string) => void, onListen?: () => void) => Promise<() => Promise<void>>;
  close(): Promise<void>;
}
