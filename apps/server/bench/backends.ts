/**
 * The two databases the benchmark runs on, opened through @companion/db's own openDatabase
 * (the server then uses exactly what production uses), plus the driver underneath each
 * for the raw floor: postgres.js for Postgres, PGlite's own `query` for PGlite.
 */
import { randomBytes } from "node:crypto";
import { openDatabase, type DatabaseHandle } from "@companion/db";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";

export type BackendKind = "pglite" | "postgres";

/** The driver under a handle, reduced to what the benchmark sends through it. */
export interface RawDriver {
  /**
   * One statement with bound parameters; rows as arrays of values, in select-list order (as
   * Drizzle reads them: two columns named `id` must not collapse into one key). On
   * postgres.js it is a named prepared statement, cached per connection.
   */
  query: (text: string, params?: unknown[]) => Promise<unknown[][]>;
  /**
   * `fn`'s statements on one connection inside BEGIN ... COMMIT: what withUser costs
   * around the same statements, without Drizzle, tRPC or HTTP.
   */
  transaction: <T>(fn: (query: RawDriver["query"]) => Promise<T>) => Promise<T>;
}

export interface Backend {
  kind: BackendKind;
  handle: DatabaseHandle;
  /** Superuser, RLS off: seeding and the raw floor. */
  raw: RawDriver;
  /**
   * For statements replayed under the user scope. On Postgres its own connection: a
   * prepared statement's cached plan is replanned whenever the role it runs under changes
   * (RLS), so sharing connections between the floor, the scoped replay and the server would
   * make each invalidate the others' plans. PGlite has one session, and prepares nothing.
   */
  scopedRaw: RawDriver;
  /** Closes the handle; on Postgres also drops the benchmark's database. */
  dispose(): Promise<void>;
}

// Structural views of the two drivers: apps/server depends on @companion/db, not on them.
interface PostgresJsLike {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): { values(): Promise<unknown[][]> };
  begin<T>(fn: (tx: PostgresJsLike) => Promise<T>): Promise<T>;
}
interface PgliteQueryable {
  query(text: string, params?: unknown[], options?: { rowMode: "array" }): Promise<{ rows: unknown[] }>;
}
interface PgliteLike extends PgliteQueryable {
  transaction<T>(fn: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
}

/** The server closes the handle it serves on stop; dispose() closes it too, if it is still open. */
function closingOnce(handle: DatabaseHandle): DatabaseHandle {
  let closed: Promise<void> | undefined;
  return { ...handle, close: () => (closed ??= handle.close()) };
}

const clientOf = (handle: DatabaseHandle): unknown => (handle.db as unknown as { $client?: unknown }).$client;
const isPostgresJs = (c: unknown): c is PostgresJsLike => typeof c === "function" && "unsafe" in c && "begin" in c;
const isPglite = (c: unknown): c is PgliteLike => typeof c === "object" && c !== null && "query" in c && "transaction" in c;

function postgresDriver(client: PostgresJsLike): RawDriver {
  const over = (c: PostgresJsLike): RawDriver["query"] => (text, params = []) => c.unsafe(text, params, { prepare: true }).values();
  return { query: over(client), transaction: (fn) => client.begin((tx) => fn(over(tx))) };
}

function pgliteDriver(client: PgliteLike): RawDriver {
  const over = (c: PgliteQueryable): RawDriver["query"] => async (text, params = []) => (await c.query(text, params, { rowMode: "array" })).rows as unknown[][];
  return { query: over(client), transaction: (fn) => client.transaction((tx) => fn(over(tx))) };
}

function rawDriverOf(handle: DatabaseHandle): RawDriver {
  const client = clientOf(handle);
  if (handle.kind === "postgres" && isPostgresJs(client)) return postgresDriver(client);
  if (handle.kind === "pglite" && isPglite(client)) return pgliteDriver(client);
  throw new Error(`no ${handle.kind} driver under the database handle`);
}

/** An in-memory PGlite, migrated. */
export async function openPgliteBackend(logger: Logger): Promise<Backend> {
  const handle = closingOnce(await openDatabase({ kind: "pglite", logger }));
  try {
    await handle.migrate();
  } catch (err) {
    await handle.close();
    throw err;
  }
  const raw = rawDriverOf(handle);
  return { kind: "pglite", handle, raw, scopedRaw: raw, dispose: () => handle.close() };
}

/**
 * A fresh database on the Postgres server of `adminUrl`, migrated; dropped by dispose().
 * Fails loudly when the server does not answer: the benchmark promises both backends.
 */
export async function openPostgresBackend(adminUrl: string, logger: Logger): Promise<Backend> {
  const name = `companion_bench_${randomBytes(5).toString("hex")}`;
  const admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  try {
    await admin.ping();
    await admin.db.execute(sql.raw(`create database "${name}"`));
  } catch (err) {
    await admin.close();
    throw new Error(`Postgres at ${redact(adminUrl)} is not usable for the benchmark (set BENCH_DATABASE_URL): ${String(err)}`, { cause: err });
  }
  const drop = async () => {
    await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
    await admin.close();
  };
  const url = withDatabaseName(adminUrl, name);
  const opened: DatabaseHandle[] = [];
  const closeAll = () => Promise.all(opened.map((h) => h.close()));
  try {
    const handle = closingOnce(await openDatabase({ kind: "postgres", url, logger }));
    opened.push(handle);
    await handle.migrate();
    const raw = await openDatabase({ kind: "postgres", url, poolSize: 1 });
    opened.push(raw);
    const scoped = await openDatabase({ kind: "postgres", url, poolSize: 1 });
    opened.push(scoped);
    return {
      kind: "postgres",
      handle,
      raw: rawDriverOf(raw),
      scopedRaw: rawDriverOf(scoped),
      dispose: async () => {
        await closeAll();
        await drop();
      },
    };
  } catch (err) {
    await closeAll();
    await drop();
    throw err;
  }
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
