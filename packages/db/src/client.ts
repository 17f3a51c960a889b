import { PGlite } from "@electric-sql/pglite";
import { dbPoolSize } from "@companion/metrics";
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./lock.ts";
import { migratePgliteClient, migratePostgresUrl } from "./migrate.ts";
import * as schema from "./schema/index.ts";
import type { Database, DatabaseHandle } from "./types.ts";

export interface PostgresOptions {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
  statementTimeoutMs?: number;
  /** `transaction` for PgBouncer in transaction mode: no prepared statements. */
  pooler?: "session" | "transaction";
  logger?: Logger;
}

export interface PgliteOptions {
  /** Persist here; omit for an in-memory database. */
  dataDir?: string;
  /** Start from a dumped data directory (tests: one migrated template per run). */
  loadDataDir?: Blob;
  logger?: Logger;
}

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
  const client = postgres(options.url, {
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    prepare: options.pooler !== "transaction",
    onnotice: () => {},
    connection: {
      application_name: "companion",
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
  });
  const db: Database = drizzlePostgres(client, { schema, logger: options.logger ?? false });
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await client`select 1`;
    },
    migrate: () => migratePostgresUrl(options.url),
    listen: async (channel, onPayload, onListen) => {
      // After a reconnect postgres.js re-LISTENs with listener objects that this
      // subscription's unlisten() does not know; the flag keeps such a stale one inert.
      let active = true;
      const sub = await client.listen(
        channel,
        (payload) => active && onPayload(payload),
        () => active && onListen?.(),
      );
      return async () => {
        active = false;
        await sub.unlisten();
      };
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(options: PgliteOptions): Promise<DatabaseHandle> {
  const release = options.dataDir
    ? await lockDataDir(options.dataDir)
    : undefined;
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (err) {
    await release?.();
    throw err;
  }
  const db: Database = drizzlePglite(client, { schema, logger: options.logger ?? false });
  return {
    db,
    kind: "pglite",
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
