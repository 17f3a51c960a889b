import { dbEnvIssues, dbEnvShape, eventRetentionEnvShape, quotaEnvShape, quotaLimitsFromEnv, type QuotaLimits } from "@companion/db";
import { jobsEnvShape, jobSettingsFromEnv, type JobSettings } from "@companion/jobs";
import { z } from "zod";

/** Every variable the CLI reads (the start-path test checks each reaches it). */
export const adminEnvNames: readonly string[] = [
  ...new Set([...Object.keys(dbEnvShape), ...Object.keys(eventRetentionEnvShape), ...Object.keys(jobsEnvShape), ...Object.keys(quotaEnvShape)]),
];

/** The admin CLI needs only the database settings; the only reader of process.env here. */
export function parseAdminEnv(source: Record<string, string | undefined> = process.env) {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  return z
    .object(dbEnvShape)
    .superRefine((env, ctx) => {
      for (const issue of dbEnvIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
    })
    .parse(cleaned);
}

/**
 * EVENT_RETENTION_MS as the server and worker read it (apps/worker/src/env.ts), so that
 * `events:prune` without `--days` keeps what the scheduled job keeps.
 */
export function eventRetentionMs(source: Record<string, string | undefined> = process.env): number {
  const parsed = z.object(eventRetentionEnvShape).safeParse({ EVENT_RETENTION_MS: source.EVENT_RETENTION_MS || undefined });
  if (!parsed.success) throw new Error(`Invalid EVENT_RETENTION_MS: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data.EVENT_RETENTION_MS;
}

/**
 * Where the operator ran the command, for a relative `--file`. `pnpm admin` runs the CLI there;
 * `pnpm --filter @companion/admin run cli` runs it inside apps/admin, and pnpm's INIT_CWD still
 * names the invoking directory.
 */
export function invocationDir(source: Record<string, string | undefined> = process.env): string {
  return source.INIT_CWD || process.cwd();
}

/** The JOB_* settings as the server and worker read them (queues are created with them if missing). */
export function jobSettings(source: Record<string, string | undefined> = process.env): JobSettings {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([k, v]) => k in jobsEnvShape && v));
  const parsed = z.object(jobsEnvShape).safeParse(cleaned);
  if (!parsed.success) throw new Error(`Invalid job settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return jobSettingsFromEnv(parsed.data);
}

/** QUOTA_MESSAGES_PER_DAY and QUOTA_TOKENS_PER_DAY as the server and worker read them, for `user:quota`. */
export function quotaDefaults(source: Record<string, string | undefined> = process.env): QuotaLimits {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([k, v]) => k in quotaEnvShape && v));
  const parsed = z.object(quotaEnvShape).safeParse(cleaned);
  if (!parsed.success) throw new Error(`Invalid quota settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return quotaLimitsFromEnv(parsed.data);
}
