/**
 * Worker configuration; the only reader of process.env in this app. The job settings, storage
 * and AI provider variables are the server's: the worker runs the same handlers.
 */
import { parseAiEnv, type AiConfig } from "@companion/ai";
import { dbEnvIssues, dbEnvShape, quotaEnvShape, resolveDataDir } from "@companion/db";
import { jobsEnvShape } from "@companion/jobs";
import { pushEnvIssues, pushEnvShape } from "@companion/push";
import { storageEnvIssues, storageEnvShape } from "@companion/storage";
import { z } from "zod";

const workerEnvSchema = z
  .object({
    ...dbEnvShape,
    ...jobsEnvShape,
    ...storageEnvShape,
    /** Web Push (VAPID) for notifications; unset: pushes are only logged (docs/notifications.md). */
    ...pushEnvShape,
    /** The daily limits: past a person's token limit, background model calls take their offline paths (docs/quotas.md). */
    ...quotaEnvShape,
    // The embedded PGlite belongs to the server process (one opener only), which runs the
    // jobs itself; a separate worker only makes sense against a real Postgres.
    DATABASE_URL: z.url({ message: "DATABASE_URL is required: on the embedded default the server runs the jobs in-process" }),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Serve GET /metrics (jobs, process, database) on this port, without a token; unset: no endpoint. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Where WORKER_METRICS_PORT listens: an address only the scraper reaches. */
    WORKER_METRICS_HOST: z.string().default("127.0.0.1"),
  })
  .superRefine((env, ctx) => {
    for (const issue of dbEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    for (const issue of storageEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    for (const issue of pushEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  });

export type WorkerEnv = z.infer<typeof workerEnvSchema> & { dataDir: string; ai: AiConfig };

/** The AI provider variables parseAiEnv reads (the after-reply job classifies sentiment with the model). */
const AI_ENV_NAMES = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_MODEL",
  "AI_TIMEOUT_MS",
  "AI_MAX_RETRIES",
  "AI_DEADLINE_MS",
  "AI_FALLBACK_PROVIDERS",
  "AI_BREAKER_FAILURES",
  "AI_BREAKER_COOLDOWN_MS",
];

/** Every variable the worker reads (the start-path test checks each reaches it). */
export const workerEnvNames: readonly string[] = [...Object.keys(workerEnvSchema.shape), ...AI_ENV_NAMES];

export function parseWorkerEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = workerEnvSchema.safeParse(cleaned);
  let ai: AiConfig | undefined;
  let aiIssues: string[] = [];
  try {
    ai = parseAiEnv(source);
  } catch (err) {
    aiIssues = err instanceof z.ZodError ? err.issues.map((i) => `AI settings ${i.path.join(".")}: ${i.message}`) : [String(err)];
  }
  if (!result.success || !ai) {
    const issues = result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${[...issues, ...aiIssues].join("\n  ")}`);
  }
  return { ...result.data, dataDir: resolveDataDir(result.data), ai };
}
