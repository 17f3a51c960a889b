/**
 * Database settings shared by every process that opens the database (server, worker,
 * admin CLI). Apps merge `dbEnvShape` into their own env schema.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_CONNECT_TIMEOUT_MS, openDatabase } from "./client.ts";
import { repoRoot } from "./paths.ts";
import { EVENT_RETENTION_MS } from "./queries/events.ts";
import type { DatabaseHandle } from "./types.ts";

/**
 * Loads `.env` at the repository root (or the file ENV_FILE names) into process.env, for
 * every app's entry before it parses its settings. Variables already set in the
 * environment win over the file. Returns the file loaded, or null when there is none.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env.ENV_FILE;
  const path = named ? resolve(named) : join(repoRoot, ".env");
  if (!existsSync(path)) {
    if (named) throw new Error(`ENV_FILE names ${path}, which does not exist`);
    return null;
  }
  process.loadEnvFile(path);
  return path;
}

export const dbEnvShape = {
  /** A dotenv file to load instead of `.env` at the repository root (see loadDotEnv). */
  ENV_FILE: z.string().optional(),
  /** Embedded data lives here (relative to the repository root). */
  DATA_DIR: z.string().default(".data"),
  DATABASE_URL: z.url().optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Opening a connection gives up after this long: an unreachable database answers 503 quickly. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(DEFAULT_CONNECT_TIMEOUT_MS),
  /** `transaction` when DATABASE_URL goes through PgBouncer in transaction mode. */
  DB_POOLER: z.enum(["session", "transaction"]).default("session"),
  /** The same database without the pooler, for LISTEN and migrations; required with DB_POOLER=transaction. */
  DATABASE_DIRECT_URL: z.url().optional(),
};

export type DbEnv = z.infer<z.ZodObject<typeof dbEnvShape>>;

/** Problems with the database settings as a whole (for an env schema's superRefine). */
export function dbEnvIssues(env: DbEnv): Array<{ path: string; message: string }> {
  if (env.DB_POOLER === "transaction" && env.DATABASE_URL && !env.DATABASE_DIRECT_URL) {
    return [{ path: "DATABASE_DIRECT_URL", message: "is required with DB_POOLER=transaction: LISTEN and the migration lock need a session, which a transaction pooler does not keep" }];
  }
  return [];
}

/**
 * How long realtime events are kept for replay (docs/realtime.md), one definition for the
 * scheduled job (server and worker) and `pnpm admin events:prune`.
 */
export const eventRetentionEnvShape = {
  EVENT_RETENTION_MS: z.coerce.number().int().min(60_000).default(EVENT_RETENTION_MS),
};

/** The most a daily limit may be (user_quotas columns are 32-bit integers). */
export const QUOTA_MAX = 2_000_000_000;

/**
 * The deployment's daily limits per person (docs/quotas.md): messages sent to companions, and
 * model tokens (prompt + completion). 0 means unlimited. One definition for the server (the chat
 * path, insights.usage), the worker (background model calls) and `pnpm admin user:quota`.
 */
export const quotaEnvShape = {
  QUOTA_MESSAGES_PER_DAY: z.coerce.number().int().min(0).max(QUOTA_MAX).default(500),
  QUOTA_TOKENS_PER_DAY: z.coerce.number().int().min(0).max(QUOTA_MAX).default(200_000),
};

/** The shape's values as the quota code takes them. */
export const quotaLimitsFromEnv = (env: z.infer<z.ZodObject<typeof quotaEnvShape>>) => ({
  messagesPerDay: env.QUOTA_MESSAGES_PER_DAY,
  tokensPerDay: env.QUOTA_TOKENS_PER_DAY,
});

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
      ...(env.DATABASE_DIRECT_URL ? { directUrl: env.DATABASE_DIRECT_URL } : {}),
    });
  }
  return openDatabase({ kind: "pglite", dataDir: join(resolveDataDir(env), "pglite") });
}
