/**
 * Database settings shared by every process that opens the database (server, worker,
 * admin CLI). Apps merge `dbEnvShape` into their own env schema.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DEFAULT_CONNECT_TIMEOUT_MS, openDatabase } from "./client.ts";
import { EVENT_RETENTION_MS } from "./queries/events.ts";
import type { DatabaseHandle } from "./types.ts";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export const dbEnvShape = {
  /** Embedded data lives here (relative to the repository root). */
  DATA_DIR: z.string().default(".data"),
  DATABASE_URL: z.url().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Opening a connection gives up after this long: an unreachable database answers 503 quickly. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_CONNECT_TIMEOUT_MS),
  /** `transaction` when connecting through PgBouncer in transaction mode. */
  DB_POOLER: z.enum(["session", "transaction"]).default("session"),
};

export type DbEnv = z.infer<z.ZodObject<typeof dbEnvShape>>;

/**
 * How long realtime events are kept for replay (docs/realtime.md), one definition for the
 * scheduled job (server and worker) and `pnpm admin events:prune`.
 */
export const eventRetentionEnvShape = {
  EVENT_RETENTION_MS: z.coerce.number().int().min(60_000).default(EVENT_RETENTION_MS),
};

export const resolveDataDir = (env: Pick<DbEnv, "DATA_DIR">) => resolve(repoRoot, env.DATA_DIR);

/** Opens what the env names: Postgres when DATABASE_URL is set, else PGlite under DATA_DIR/pglite. */
export function openConfiguredDatabase(env: DbEnv): Promise<DatabaseHandle> {
  if (env.DATABASE_URL) {
    return openDatabase({
      kind: "postgres",
      url: env.DATABASE_URL,
      poolSize: env.DB_POOL_SIZE,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      pooler: env.DB_POOLER,
    });
  }
  return openDatabase({ kind: "pglite", dataDir: join(resolveDataDir(env), "pglite") });
}
