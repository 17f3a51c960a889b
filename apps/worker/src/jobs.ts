/**
 * The background jobs and their scheduler. The worker process runs them against Postgres;
 * the server runs the same thing in-process on the embedded default (apps/server/src/start.ts).
 */
import { expireStories, pruneEvents, pruneUsedStreamTickets, type Database } from "@companion/db";
import { jobDuration, jobLastSuccess, jobRuns, storiesExpired } from "@companion/metrics";
import type { Logger } from "pino";

export interface StoryJobSettings {
  storyExpiryIntervalMs: number;
  storyDeleteGraceMs: number;
  /** Deletes stored media no live story uses any more (uploads of expired/deleted stories). */
  purgeMedia?: (db: Database, keys: readonly string[]) => Promise<{ deleted: string[] }>;
}

interface EventJobSettings {
  eventPruneIntervalMs: number;
  /** Events created longer ago than this are deleted. */
  eventRetentionMs: number;
}

export type JobSettings = StoryJobSettings & EventJobSettings;

export interface RunningJobs {
  /** Runs every job once now (after any run in progress), e.g. from tests. */
  runOnce(): Promise<void>;
  /** No new runs; waits for the one in progress. */
  stop(): Promise<void>;
}

interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<Record<string, number>>;
}

export function storyJobs(db: Database, settings: StoryJobSettings): Job[] {
  return [
    {
      name: "stories:expire",
      intervalMs: settings.storyExpiryIntervalMs,
      run: async () => {
        const { softDeleted, hardDeleted, mediaKeys } = await expireStories(db, { graceMs: settings.storyDeleteGraceMs });
        if (softDeleted > 0) storiesExpired.inc(softDeleted);
        const purged = settings.purgeMedia && mediaKeys.length > 0 ? await settings.purgeMedia(db, mediaKeys) : { deleted: [] };
        return { softDeleted, hardDeleted, mediaPurged: purged.deleted.length };
      },
    },
  ];
}

/** Retention of the realtime events outbox (docs/realtime.md). */
function eventJobs(db: Database, settings: EventJobSettings): Job[] {
  return [
    {
      name: "events:prune",
      intervalMs: settings.eventPruneIntervalMs,
      run: async () => ({ eventsPruned: await pruneEvents(db, { olderThan: new Date(Date.now() - settings.eventRetentionMs) }) }),
    },
    {
      // Redeemed stream tickets only matter until they expire (60 s): their signature refuses them after.
      name: "stream-tickets:prune",
      intervalMs: settings.eventPruneIntervalMs,
      run: async () => ({ ticketsPruned: await pruneUsedStreamTickets(db, { before: new Date(Date.now() - 60_000) }) }),
    },
  ];
}

/**
 * Runs each job now and then every `intervalMs` after the previous run ends, so runs of a
 * job never overlap. A failing run is logged and retried at the next tick.
 */
export function startJobs(db: Database, log: Logger, settings: JobSettings): RunningJobs {
  let stopped = false;
  const timers = new Map<string, NodeJS.Timeout>();
  const inflight = new Map<string, Promise<void>>();

  const runJob = (job: Job): Promise<void> => {
    const previous = inflight.get(job.name) ?? Promise.resolve();
    const next = previous.then(async () => {
      const started = performance.now();
      const task = { task: job.name };
      try {
        const result = await job.run();
        const changed = Object.values(result).some((n) => n > 0);
        log[changed ? "info" : "debug"]({ job: job.name, ...result, ms: Math.round(performance.now() - started) }, "job ran");
        jobRuns.inc({ ...task, outcome: "ok" });
        jobLastSuccess.set(task, Date.now() / 1000);
      } catch (err) {
        log.error({ err, job: job.name }, "job failed");
        jobRuns.inc({ ...task, outcome: "failed" });
      }
      jobDuration.observe(task, (performance.now() - started) / 1000);
    });
    inflight.set(job.name, next);
    return next;
  };

  const schedule = (job: Job, delayMs: number) => {
    if (stopped) return;
    timers.set(
      job.name,
      setTimeout(() => {
        void runJob(job).then(() => schedule(job, job.intervalMs));
      }, delayMs),
    );
  };

  const jobs = [...storyJobs(db, settings), ...eventJobs(db, settings)];
  for (const job of jobs) schedule(job, 0);

  return {
    runOnce: async () => {
      await Promise.all(jobs.map(runJob));
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.all(inflight.values());
    },
  };
}
