import type { ScheduledJob } from "./queues.ts";

export interface JobSettings {
  attempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  timeoutSeconds: number;
  concurrency: number;
  pollSeconds: number;
  retentionDays: number;
  /** Cron expression of each recurring job; "off": not scheduled. */
  schedules: Record<ScheduledJob, string>;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  attempts: 5,
  retryBaseSeconds: 30,
  retryMaxSeconds: 600,
  timeoutSeconds: 15,
  concurrency: 10,
  pollSeconds: 2,
  retentionDays: 7,
  schedules: {
    "stories.expire": "* * * * *",
    "events.prune": "17 * * * *",
    "stream-tickets.prune": "17 * * * *",
    "stories.companion-post": "*/20 * * * *",
    "proactive.sweep": "*/15 * * * *",
    "digests.sweep": "0 12 * * 1",
    "exports.prune": "17 * * * *",
  },
};
