/** `pnpm admin jobs:*`: the job queue as an operator sees it (docs/jobs.md). */
import type { DatabaseHandle } from "@companion/db";
import { JOB_STATES, listJobs, openJobQueue, purgeJobs, retryJob, type JobQueue, type JobSummary } from "@companion/jobs";
import { z } from "zod";
import { CliError, defineCommand, EX_CONFIG, intFlag, required, type Command } from "./command.ts";
import { jobSettings } from "./env.ts";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Opens the queue as a producer (it never changes queue settings, runs nothing), for one command. */
async function withQueue<T>(db: DatabaseHandle, fn: (queue: JobQueue) => Promise<T>): Promise<T> {
  let settings;
  try {
    settings = jobSettings();
  } catch (err) {
    throw new CliError("CONFIG", (err as Error).message, EX_CONFIG);
  }
  await db.migrate();
  const queue = await openJobQueue({ connection: db.connection, settings, log: quiet, role: "producer", poolSize: 1 });
  try {
    return await fn(queue);
  } finally {
    await queue.stop({ graceMs: 0 });
  }
}

const line = (j: JobSummary) =>
  [
    j.id,
    j.queue.padEnd(30),
    j.state.padEnd(9),
    j.queue === "dead-letter" ? `from ${j.source?.queue ?? "?"} ${j.source?.id ?? ""}` : `${j.attempts}/${j.maxAttempts}`,
    j.createdAt,
    j.error ? `  ${j.error}` : "",
  ].join("  ");

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const jobCommands: Record<string, Command> = {
  "jobs:list": defineCommand({
    summary: "List jobs, newest first (--state failed: what failed; --state dead: the dead-letter queue)",
    options: {
      state: { type: "string", value: "STATE", description: `one of ${[...JOB_STATES, "dead"].join(", ")}` },
      queue: { type: "string", value: "NAME", description: "only this queue (e.g. chat.after-reply)" },
      limit: { type: "string", value: "N", description: "at most N jobs, 1 to 1000 (default 50)" },
    },
    input: z.object({
      state: z.enum([...JOB_STATES, "dead"]).optional(),
      queue: z.string().min(1).max(100).optional(),
      limit: intFlag(1, 1000).default(50),
    }),
    run: (db, { state, queue: name, limit }) => withQueue(db, (queue) => listJobs(queue, { limit, ...(state ? { state } : {}), ...(name ? { name } : {}) })),
    human: (jobs) => (jobs.length === 0 ? ["no jobs"] : jobs.map(line)),
  }),

  "jobs:retry": defineCommand({
    summary: "Run a failed job again with fresh attempts, or send a dead letter back to its queue",
    args: [{ name: "id", description: "the job's id (from jobs:list)" }],
    input: z.object({ args: z.tuple([required().pipe(z.uuid({ error: "must be a job id (a UUID)" }))]) }).transform(({ args: [id] }) => id),
    run: async (db, id) => {
      const outcome = await withQueue(db, (queue) => retryJob(queue, id));
      if ("refused" in outcome) {
        if (!outcome.refused) throw new CliError("NOT_FOUND", `no job ${id}`, 1);
        throw new CliError("NOT_RETRYABLE", `job ${id} is ${outcome.refused.state} in ${outcome.refused.queue}: only failed jobs and dead letters are retried`, 1);
      }
      return { id, queue: outcome.retried.queue, from: outcome.from, state: outcome.from === "failed" ? outcome.retried.state : "redriven" };
    },
    human: (r) => [r.from === "failed" ? `job ${r.id} (${r.queue}) will run again` : `dead letter ${r.id} sent back to its queue`],
  }),

  "jobs:purge": defineCommand({
    summary: "Delete finished jobs (completed, failed, cancelled) and dead letters older than a duration",
    options: { "older-than": { type: "string", value: "AGE", description: "e.g. 30m, 12h, 7d (required)" } },
    input: z
      .object({ "older-than": required().regex(DURATION, "must be a number and a unit: 30m, 12h, 7d") })
      .transform((o) => {
        const [, n, unit] = DURATION.exec(o["older-than"]) ?? [];
        return { before: new Date(Date.now() - Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS]) };
      }),
    run: (db, { before }) => withQueue(db, async (queue) => ({ ...(await purgeJobs(queue, { before })), before: before.toISOString() })),
    human: (r) => [`deleted ${r.deleted} job(s) finished before ${r.before}`],
  }),

  "digests:run": defineCommand({
    summary: "Build the weekly digests of an ISO week (default: the previous one); built ones are skipped",
    options: { week: { type: "string", value: "YYYY-Www", description: "e.g. 2026-W49 (default: last week)" } },
    input: z.object({ week: z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, "must be an ISO week such as 2026-W49").optional() }),
    // Enqueued: the worker (or the server, on the embedded default) runs the sweep and its builds.
    run: (db, { week }) => withQueue(db, async (queue) => ({ jobId: await queue.send("digests.sweep", week ? { week } : {}), week: week ?? "previous" })),
    human: (r) => [`digests sweep for ${r.week} week enqueued (job ${r.jobId ?? "already waiting"})`],
  }),
};
