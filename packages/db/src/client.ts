import type { PGlite } from "@electric-sql/pglite";
import { dbPoolSize } from "@companion/metrics";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./lock.ts";
import { migratePgliteClient, migratePostgresUrl } from "./migrate.ts";
import { initdbInChild, needsInitdb } from "./pglite-initdb.ts";
import type { Database, DatabaseHandle } from "./types.ts";

interface PostgresOptions {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  statementTimeoutMs?: number;
  /**
   * How long opening a connection may take, handshake included (postgres.js defaults to
   * 30 s). A database that does not answer must fail a request fast (503), not hold it.
   */
  connectTimeoutMs?: number;
  /** `transaction` for PgBouncer in transaction mode: no prepared statements. */
  pooler?: "session" | "transaction";
  /**
   * A direct (session) connection to the same database, for what a transaction pooler
   * cannot carry: LISTEN (the realtime hub) and the migrations' advisory lock.
   */
  directUrl?: string;
  logger?: Logger;
}

interface PgliteOptions {
  /** Persist here; omit for an in-memory database. */
  dataDir?: string;
  /** Start from a dumped data directory (tests: one migrated template per run). */
  loadDataDir?: Blob;
  logger?: Logger;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_S = 0.5;

export type DatabaseOptions = ({ kind: "postgres" } & PostgresOptions) | ({ kind: "pglite" } & PgliteOptions);

const DEFAULT_POOL_SIZE = 10;

/** The one place that opens a database: postgres.js for a real Postgres, PGlite otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const handle = options.kind === "postgres" ? openPostgres(options) : await openPglite(options);
  return counted(handle, options.kind === "postgres" ? (options.poolSize ?? DEFAULT_POOL_SIZE) : 1);
}

/** The handle's connections count in `db_pool_size{kind}` until it is closed (once). */
function counted(handle: DatabaseHandle, connections: number): DatabaseHandle {
  const labels = { kind: handle.kind };
  dbPoolSize.inc(labels, connections);
  let closed = false;
  return {
    ...handle,
    close: async () => {
      if (!closed) {
        closed = true;
        dbPoolSize.dec(labels, connections);
      }
      await handle.close();
    },
  };
}

function openPostgres(options: PostgresOptions): DatabaseHandle {
  const transactionPooler = options.pooler === "transaction";
  const client = postgres(options.url, {
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    prepare: !transactionPooler,
    connect_timeout: (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
    // postgres.js waits before each reconnect, 3^n / 100 s after n failures in a row (up to
    // 20 s): a request arriving during an outage would wait that long before it even tried.
    // Capped, it fails within the connect timeout (503), and recovers as quickly.
    backoff: (retries: number) => Math.min(3 ** retries / 100, MAX_RECONNECT_DELAY_S) * (0.5 + Math.random() / 2),
    onnotice: () => {},
    connection: {
      application_name: "companion",
      // PgBouncer refuses unknown startup parameters: behind it, set statement_timeout on
      // the database role instead (docs/deploy.md).
      ...(options.statementTimeoutMs && !transactionPooler ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
  });
  // LISTEN needs a session of its own: on the pool's client without a pooler, else directly.
  let listener: postgres.Sql | undefined;
  const listenClient = () => (options.directUrl ? (listener ??= postgres(options.directUrl, { max: 1, onnotice: () => {}, connection: { application_name: "companion-listen" } })) : client);
  const db: Database = drizzlePostgres(client, { logger: options.logger ?? false });
  return {
    db,
    kind: "postgres",
    connection: {
      kind: "postgres",
      url: options.url,
      pooler: options.pooler ?? "session",
      directUrl: options.directUrl,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    },
    ping: async () => {
      await client`select 1`;
    },
    migrate: () => migratePostgresUrl(options.directUrl ?? options.url),
    listen: async (channel, onPayload, onListen) => {
      // After a reconnect postgres.js re-LISTENs with listener objects that this
      // subscription's unlisten() does not know; the flag keeps such a stale one inert.
      let active = true;
      const sub = await listenClient().listen(
        channel,
        (payload) => active && onPayload(payload),
        () => active && onListen?.(),
      );
      return async () => {
        active = false;
        await sub.unlisten();
      };
    },
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), listener?.end({ timeout: 5 })]);
    },
  };
}

/**
 * Postgres settings inside PGlite (docs/scaling.md#memory). Postgres sets up all its shared
 * memory when it starts, and PGlite's WebAssembly memory never shrinks, so initdb's choice of
 * 128 MB of shared_buffers was resident from the first second (and 188 MiB of memory in all).
 * The data dir's files are in the OS page cache anyway, and the embedded database is small.
 * Passed on every start (data dirs made before this) and to initdb (its postgresql.conf).
 */
const PGLITE_SETTINGS = ["shared_buffers=16MB"];

async function openPglite(options: PgliteOptions): Promise<DatabaseHandle> {
  // Loaded here, not at startup: a process on Postgres never needs PGlite (docs/scaling.md#memory).
  const [{ PGlite }, { btree_gin }, { vector }, { drizzle: drizzlePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite/contrib/btree_gin"),
    import("@electric-sql/pglite-pgvector"),
    import("drizzle-orm/pglite"),
  ]);
  const release = options.dataDir
    ? await lockDataDir(options.dataDir)
    : undefined;
  const params = {
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ["-c", s])],
    initDbStartParams: PGLITE_SETTINGS.flatMap((s) => ["--set", s]),
  };
  let client: PGlite;
  try {
    // A new data dir (not one filled from a tarball): initdb in a child process (pglite-initdb.ts).
    if (options.dataDir && !options.loadDataDir && needsInitdb(options.dataDir)) await initdbInChild(options.dataDir, params);
    client = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      // btree_gin: the search index on messages holds user_id; vector: search embeddings
      // (drizzle/0011_search.sql, docs/search.md).
      extensions: { btree_gin, vector },
      ...params,
    });
  } catch (err) {
    await release?.();
    throw err;
  }
  const db: Database = drizzlePglite(client, { logger: options.logger ?? false });
  return {
    db,
    kind: "pglite",
    connection: { kind: "pglite", client },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    migrate: () => migratePgliteClient(client),
    listen: async (channel, onPayload, onListen) => {
      // One instance, one session: NOTIFY from any transaction reaches it on commit.
      const unlisten = await client.listen(channel, onPayload);
      onListen?.();
      return () => unlisten();
    },
    close: async () => {
      await client.close();
      await release?.();
    },
  };
}
