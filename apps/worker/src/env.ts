/**
 * Worker configuration; the only reader of process.env in this app. The job settings are
 * shared with the server, which runs the same jobs in-process on the embedded default.
 */
import { dbEnvIssues, dbEnvShape, eventRetentionEnvShape } from "@companion/db";
import { z } from "zod";

/** Job intervals and retention, merged into the server's env schema too. */
export const jobsEnvShape = {
  /** How often expired stories are soft-deleted and old soft-deleted ones purged. */
  STORY_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How long a soft-deleted story is kept before it is hard-deleted. */
  STORY_DELETE_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** How often realtime events past their retention are deleted. */
  EVENT_PRUNE_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  ...eventRetentionEnvShape,
};

const workerEnvSchema = z.object({
  ...dbEnvShape,
  ...jobsEnvShape,
  // The embedded PGlite belongs to the server process (one opener only), which runs the
  // jobs itself; a separate worker only makes sense against a real Postgres.
  DATABASE_URL: z.url({ message: "DATABASE_URL is required: on the embedded default the server runs the jobs in-process" }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Serve GET /metrics (jobs, process, database) on this port, without a token; unset: no endpoint. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where WORKER_METRICS_PORT listens: an address only the scraper reaches. */
  WORKER_METRICS_HOST: z.string().default("127.0.0.1"),
}).superRefine((env, ctx) => {
  for (const issue of dbEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

/** Every variable the worker reads (the start-path test checks each reaches it). */
export const workerEnvNames: readonly string[] = Object.keys(workerEnvSchema.shape);

export function parseWorkerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = workerEnvSchema.safeParse(cleaned);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n  ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ")}`);
  }
  return result.data;
}
