/**
 * The two databases the benchmark runs on, opened through @companion/db's own openDatabase
 * (the server then uses exactly what production uses), plus the driver underneath each
 * for the raw floor: postgres.js for Postgres, PGlite's own `query` for PGlite.
 *
 * On Postgres every raw use gets its own connection: a prepared statement's cached plan is
 * redone whenever the role it runs under changes (RLS), so sharing connections between the
 * server, the floor and the replays would make each invalidate the others' plans. PGlite
 * has one session, and prepares nothing (every statement is parsed and planned anew).
 */
import { randomBytes } from "node:crypto";
import { openDatabase, type DatabaseHandle } from "@companion/db";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";

export type BackendKind = "pglite" | "postgres";

export type RawQuery = (text: string, params?: unknown[]) => Promise<unknown[][]>;

/** The driver under a handle, reduced to what the benchmark sends through it. */
export interface RawDriver {
  /**
   * One statement with bound parameters; rows as arrays of values, in select-list order (as
   * Drizzle reads them: two columns named `id` must not collapse into one key). On
   * postgres.js a named prepared statement, cached per connection, as the hot queries are.
   */
  query: RawQuery;
  /** `fn`'s statements on one connection inside BEGIN ... COMMIT. */
  transaction: <T>(fn: (query: RawQuery) => Promise<T>) => Promise<T>;
}

/**
 * A session that already is the user, as withUser makes a transaction (role companion_app,
 * RLS on, app.current_user_id, custom plans), but set once for the session: statements run
 * alone, without BEGIN, the scope statement or COMMIT. `enter`/`exit` bracket a use (PGlite
 * must give its one session back to the server in between; Postgres has nothing to do).
 */
export interface UserSession {
  query: RawQuery;
  enter(): Promise<void>;
  exit(): Promise<void>;
}

export interface Backend {
  kind: BackendKind;
  handle: DatabaseHandle;
  /** The database's URL on Postgres (for a server in another process); null on PGlite. */
  url: string | null;
  /** The connection's own role (a superuser): RLS does not apply. Seeding, and the no-RLS figures. */
  raw: RawDriver;
  /** For replaying the captured withUser transaction statement by statement. */
  scopedRaw: RawDriver;
  userSession(userId: string): Promise<UserSession>;
  /** Closes everything; on Postgres also drops the benchmark's database. */
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

function postgresDriver(handle: DatabaseHandle): RawDriver {
  const client = clientOf(handle);
  if (!isPostgresJs(client)) throw new Error("no postgres.js client under the database handle");
  const over = (c: PostgresJsLike): RawQuery => (text, params = []) => c.unsafe(text, params, { prepare: true }).values();
  return { query: over(client), transaction: (fn) => client.begin((tx) => fn(over(tx))) };
}

function pgliteDriver(handle: DatabaseHandle): RawDriver {
  const client = clientOf(handle);
  if (!isPglite(client)) throw new Error("no PGlite client under the database handle");
  const over = (c: PgliteQueryable): RawQuery => async (text, params = []) => (await c.query(text, params, { rowMode: "array" })).rows as unknown[][];
  return { query: over(client), transaction: (fn) => client.transaction((tx) => fn(over(tx))) };
}

// What withUser sets per transaction (packages/db/src/transaction.ts), here for the session.
const enterUser = (userId: string) =>
  `select set_config('app.current_user_id', '${userId}', false), set_config('role', 'companion_app', false), set_config('plan_cache_mode', 'force_custom_plan', false)`;

/** An in-memory PGlite, migrated. */
export async function openPgliteBackend(logger: Logger): Promise<Backend> {
  const handle = closingOnce(await openDatabase({ kind: "pglite", logger }));
  try {
    await handle.migrate();
  } catch (err) {
    await handle.close();
    throw err;
  }
  const raw = pgliteDriver(handle);
  return {
    kind: "pglite",
    handle,
    url: null,
    raw,
    scopedRaw: raw,
    userSession: async (userId) => ({
      query: raw.query,
      enter: async () => void (await raw.query(enterUser(userId))),
      exit: async () =>
        void (await raw.query("select set_config('role', 'none', false), set_config('app.current_user_id', '', false), set_config('plan_cache_mode', 'auto', false)")),
    }),
    dispose: () => handle.close(),
  };
}

/** Fails fast (before minutes of PGlite seeding) when the Postgres of `adminUrl` does not answer. */
export async function assertPostgresReachable(adminUrl: string): Promise<void> {
  const admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  try {
    await admin.ping();
  } catch (err) {
    throw new Error(`Postgres at ${redact(adminUrl)} does not answer; the benchmark runs on both backends (set BENCH_DATABASE_URL): ${String(err)}`, {
      cause: err,
    });
  } finally {
    await admin.close();
  }
}

/**
 * A fresh database on the Postgres server of `adminUrl`, migrated; dropped by dispose()
 * unless `keep` (to look at the seeded data afterwards, e.g. with EXPLAIN in psql).
 * Fails loudly when the server does not answer: the benchmark promises both backends.
 */
export async function openPostgresBackend(adminUrl: string, logger: Logger, options: { keep?: boolean } = {}): Promise<Backend> {
  const name = `companion_bench_${randomBytes(5).toString("hex")}`;
  const admin = await openDatabase({ kind: "postgres", url: adminUrl, poolSize: 1 });
  try {
    await admin.ping();
    await admin.db.execute(sql.raw(`create database "${name}"`));
  } catch (err) {
    await admin.close();
    throw new Error(`Postgres at ${redact(adminUrl)} is not usable for the benchmark (set BENCH_DATABASE_URL): ${String(err)}`, { cause: err });
  }
  const url = withDatabaseName(adminUrl, name);
  const opened: DatabaseHandle[] = [];
  const connection = async () => {
    const h = await openDatabase({ kind: "postgres", url, poolSize: 1 });
    opened.push(h);
    return h;
  };
  const dispose = async () => {
    await Promise.all(opened.map((h) => h.close()));
    if (options.keep) console.log(`kept the benchmark database: ${redact(url)}`);
    else await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
    await admin.close();
  };
  try {
    const handle = closingOnce(await openDatabase({ kind: "postgres", url, logger }));
    opened.push(handle);
    await handle.migrate();
    const raw = postgresDriver(await connection());
    // Custom plans, like every withUser transaction, so the no-RLS figures differ by RLS only.
    await raw.query("set plan_cache_mode = force_custom_plan");
    return {
      kind: "postgres",
      handle,
      url,
      raw,
      scopedRaw: postgresDriver(await connection()),
      userSession: async (userId) => {
        const session = postgresDriver(await connection());
        await session.query(enterUser(userId));
        return { query: session.query, enter: async () => {}, exit: async () => {} };
      },
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** A pool of `size` postgres.js connections to `url`, as a RawDriver (the throughput floor's 16 concurrent transactions). */
export async function openPostgresPool(url: string, size: number): Promise<{ driver: RawDriver; close: () => Promise<void> }> {
  const handle = await openDatabase({ kind: "postgres", url, poolSize: size });
  return { driver: postgresDriver(handle), close: () => handle.close() };
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
