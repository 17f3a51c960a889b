/**
 * Hot statements built once per process (docs/query-plans.md#built-once-per-process): a
 * statement's text and parameter slots are rendered on its first call, with a placeholder
 * for every value; each later call binds its values to them and runs it by name. No Drizzle
 * builder runs per call, and Postgres receives the same text and parameters as before.
 */
import { is, Param, Placeholder, sql, type Query, type SQLWrapper } from "drizzle-orm";
import type { PreparedQueryConfig } from "drizzle-orm/pg-core";
import { dialect } from "./raw-sql.ts";
import type { Database } from "./types.ts";

/** A typed `sql.placeholder`: only names of the statement's values. */
export type Slot<V> = <K extends keyof V & string>(name: K) => Placeholder<K>;

const isSlot = (p: unknown) => is(p, Placeholder) || (is(p, Param) && is(p.value, Placeholder));

/**
 * `build` returns the statement (a Drizzle builder or `sql`) with `slot(name)` for every
 * value; it runs once, on the first call, with that call's `db` (builders need one; nothing
 * is sent). Every parameter must be a slot, so nothing of the first call is kept in the
 * statement (a column's `$defaultFn` would be: use SQL defaults). Rows come as arrays in
 * select-list order, mapped by `mapRow`. On PGlite and behind a transaction pooler the
 * statement is simply run, as `.prepare()` does there.
 */
export function prepareOnce<V extends Record<string, unknown>, R>(
  name: string,
  build: (db: Database, slot: Slot<V>) => SQLWrapper,
  mapRow: (row: unknown[]) => R,
): (db: Database, values: V) => Promise<R[]> {
  let query: Query | undefined;
  const mapRows = (rows: unknown[][]): R[] => rows.map(mapRow);
  return (db, values) => {
    query ??= render(name, build(db, sql.placeholder));
    return db._.session.prepareQuery<PreparedQueryConfig & { execute: R[] }>(query, undefined, name, true, mapRows).execute(values);
  };
}

function render(name: string, statement: SQLWrapper): Query {
  const query = dialect.sqlToQuery(statement.getSQL());
  if (!query.params.every(isSlot)) throw new Error(`prepareOnce(${name}): every parameter must be a slot, not a value of the first call`);
  return query;
}
