/**
 * Job settings, merged into the env schemas of every process that runs or enqueues jobs
 * (server, worker, admin). Defaults follow the job system design: 5 attempts, 30 s base
 * backoff with jitter, 10 min cap, 15 s per run (docs/jobs.md).
 */
import { eventRetentionEnvShape } from "@companion/db";
import { z } from "zod";
import type { JobSettings } from "./settings.ts";

const cron = z.string().min(9).max(100);

export const jobsEnvShape = {
  /** Runs per job, the first included; after the last, the job goes to the dead-letter queue. */
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** Delay before the first retry; each next one doubles (with jitter), up to JOB_RETRY_MAX_SECONDS. */
  JOB_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  JOB_RETRY_MAX_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** How long one run may take before it counts as failed (and is retried). */
  JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(15),
  /** Jobs of one queue a process runs at once (also the batch it fetches). */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  /** How often an idle worker looks for jobs when it is not woken by NOTIFY. */
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  /** Completed jobs are kept this long (for jobs:list), failed ones too. */
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** When expired stories are soft-deleted and old ones purged (cron, UTC). */
  STORY_EXPIRY_CRON: cron.default("* * * * *"),
  /**
   * When system companions' story plans are checked (cron, UTC; docs/stories.md). "off": not
   * scheduled, and no check at start (tests run the job by hand).
   */
  COMPANION_STORY_CRON: z.union([z.literal("off"), cron]).default("*/20 * * * *"),
  /** How long a soft-deleted story is kept before it is hard-deleted. */
  STORY_DELETE_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** When realtime events past their retention, and redeemed stream tickets, are deleted (cron, UTC). */
  EVENT_PRUNE_CRON: cron.default("17 * * * *"),
  ...eventRetentionEnvShape,
  /** When the proactive sweep looks for people a companion should write to (cron, UTC). */
  PROACTIVE_CRON: cron.default("*/15 * * * *"),
  /** Away time before a companion writes first: MAX hours at affection 0, MIN at 100, linear between. */
  PROACTIVE_MIN_AWAY_HOURS: z.coerce.number().min(0).max(24 * 90).default(24),
  PROACTIVE_MAX_AWAY_HOURS: z.coerce.number().min(0).max(24 * 90).default(72),
  /** Proactive messages a person gets per day (their own calendar day), over all companions. */
  PROACTIVE_MAX_PER_USER_PER_DAY: z.coerce.number().int().min(0).max(100).default(2),
  /** After this many proactive messages in a row without an answer, the companion stops writing first. */
  PROACTIVE_MAX_UNANSWERED: z.coerce.number().int().min(0).max(100).default(2),
  /** Most pairs one sweep enqueues (the next sweep continues). */
  PROACTIVE_SWEEP_LIMIT: z.coerce.number().int().min(1).max(100_000).default(5_000),
  /** When the weekly digests of the previous ISO week are built (cron, UTC; default Monday 12:00, when every time zone's Sunday is over). */
  DIGEST_CRON: cron.default("0 12 * * 1"),
};

export type JobsEnv = z.infer<z.ZodObject<typeof jobsEnvShape>>;

export function jobSettingsFromEnv(env: JobsEnv): JobSettings {
  return {
    attempts: env.JOB_ATTEMPTS,
    retryBaseSeconds: env.JOB_RETRY_BASE_SECONDS,
    retryMaxSeconds: env.JOB_RETRY_MAX_SECONDS,
    timeoutSeconds: env.JOB_TIMEOUT_SECONDS,
    concurrency: env.JOB_CONCURRENCY,
    pollSeconds: env.JOB_POLL_SECONDS,
    retentionDays: env.JOB_RETENTION_DAYS,
    schedules: {
      "stories.expire": env.STORY_EXPIRY_CRON,
      "events.prune": env.EVENT_PRUNE_CRON,
      "stream-tickets.prune": env.EVENT_PRUNE_CRON,
      "exports.prune": env.EVENT_PRUNE_CRON,
      "stories.companion-post": env.COMPANION_STORY_CRON,
      "proactive.sweep": env.PROACTIVE_CRON,
      "digests.sweep": env.DIGEST_CRON,
    },
  };
}

/** The proactive guardrails (docs/proactive.md). */
export interface ProactiveSettings {
  minAwayHours: number;
  maxAwayHours: number;
  maxPerUserPerDay: number;
  maxUnanswered: number;
  sweepLimit: number;
}

export function proactiveSettingsFromEnv(env: JobsEnv): ProactiveSettings {
  return {
    minAwayHours: Math.min(env.PROACTIVE_MIN_AWAY_HOURS, env.PROACTIVE_MAX_AWAY_HOURS),
    maxAwayHours: Math.max(env.PROACTIVE_MIN_AWAY_HOURS, env.PROACTIVE_MAX_AWAY_HOURS),
    maxPerUserPerDay: env.PROACTIVE_MAX_PER_USER_PER_DAY,
    maxUnanswered: env.PROACTIVE_MAX_UNANSWERED,
    sweepLimit: env.PROACTIVE_SWEEP_LIMIT,
  };
}
