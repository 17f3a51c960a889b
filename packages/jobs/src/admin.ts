/**
 * What an operator does with jobs (`pnpm admin jobs:*`): see them, retry a failed or
 * dead-lettered one, purge old finished ones. pg-boss has no listing across queues nor an
 * age-based purge, so those two read its job table (schema `pgboss`, docs/jobs.md).
 */
import { JOB_SCHEMA } from "@companion/db";
import { DEAD_LETTER_QUEUE } from "./queues.ts";
import type { JobQueue } from "./queue.ts";

export const JOB_STATES = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobSummary {
  id: string;
  queue: string;
  state: JobState;
  /** Runs so far (a job not yet run: 0). */
  attempts: number;
  maxAttempts: number;
  data: unknown;
  /** The last failure's message (a failed or retrying job), else null. */
  error: string | null;
  /** For a dead letter: the queue and job it came from. */
  source: { queue: string; id: string } | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

interface JobRow {
  id: string;
  name: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  data: unknown;
  output: { error?: string; value?: { message?: string } } | null;
  source_name: string | null;
  source_id: string | null;
  created_on: Date | string;
  started_on: Date | string | null;
  completed_on: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toSummary(row: JobRow): JobSummary {
  const ran = row.state === "created" ? row.retry_count : row.state === "retry" ? row.retry_count : row.retry_count + 1;
  const error = row.state === "failed" || row.state === "retry" ? (row.output?.error ?? row.output?.value?.message ?? null) : null;
  return {
    id: row.id,
    queue: row.name,
    state: row.state,
    attempts: row.name === DEAD_LETTER_QUEUE ? 0 : ran,
    maxAttempts: row.retry_limit + 1,
    data: row.data,
    error,
    source: row.source_name && row.source_id ? { queue: row.source_name, id: row.source_id } : null,
    createdAt: iso(row.created_on) ?? "",
    startedAt: iso(row.started_on),
    completedAt: iso(row.completed_on),
  };
}

const COLUMNS = "id, name, state, retry_count, retry_limit, data, output, source_name, source_id, created_on, started_on, completed_on";

/**
 * Jobs newest first. `state: "dead"` lists the dead-letter queue (what failed for good and waits
 * for an operator); `failed` the failed runs themselves.
 */
export async function listJobs(queue: JobQueue, params: { state?: JobState | "dead"; name?: string; limit: number }): Promise<JobSummary[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (params.state === "dead") {
    values.push(DEAD_LETTER_QUEUE);
    where.push(`name = $${values.length}`);
  } else if (params.state) {
    values.push(params.state);
    where.push(`state = $${values.length}::${JOB_SCHEMA}.job_state`);
  }
  if (params.name) {
    values.push(params.name);
    where.push(`name = $${values.length}`);
  }
  values.push(params.limit);
  const { rows } = await queue.boss
    .getDb()
    .executeSql(
      `select ${COLUMNS} from ${JOB_SCHEMA}.job ${where.length ? `where ${where.join(" and ")}` : ""} order by created_on desc, id desc limit $${values.length}`,
      values,
    );
  return (rows as JobRow[]).map(toSummary);
}

async function findJob(queue: JobQueue, id: string): Promise<JobSummary | null> {
  const { rows } = await queue.boss.getDb().executeSql(`select ${COLUMNS} from ${JOB_SCHEMA}.job where id = $1`, [id]);
  const row = (rows as JobRow[])[0];
  return row ? toSummary(row) : null;
}

export type RetryOutcome = { retried: JobSummary; from: "failed" | "dead-letter" } | { refused: JobSummary | null };

/**
 * Runs a job again with fresh attempts: a failed job (its dead-letter copy is dropped), or a
 * dead letter, which goes back to the queue it came from. Other states are refused.
 */
export async function retryJob(queue: JobQueue, id: string): Promise<RetryOutcome> {
  const job = await findJob(queue, id);
  if (!job) return { refused: null };
  const { boss } = queue;
  if (job.queue === DEAD_LETTER_QUEUE && job.state === "created" && job.source) {
    // A new job (new id) in the source queue; the failed original stays listed until purged.
    const moved = await boss.redrive(DEAD_LETTER_QUEUE, { ids: [job.id] });
    return moved > 0 ? { retried: job, from: "dead-letter" } : { refused: job };
  }
  if (job.state !== "failed") return { refused: job };
  await boss.retry(job.queue, job.id);
  // At once (not after the backoff), with every attempt of a fresh job still ahead of it.
  const ran = Math.max(0, job.attempts - 1);
  await boss.update(job.queue, undefined, { id: job.id, startAfter: new Date(), retryLimit: ran + queue.settings.attempts - 1 });
  const { rows } = await boss.getDb().executeSql(`select id from ${JOB_SCHEMA}.job where name = $1 and source_id = $2`, [DEAD_LETTER_QUEUE, job.id]);
  const copies = (rows as { id: string }[]).map((r) => r.id);
  if (copies.length > 0) await boss.deleteJob(DEAD_LETTER_QUEUE, copies);
  return { retried: (await findJob(queue, job.id)) ?? job, from: "failed" };
}

/** Deletes finished jobs (completed, failed, cancelled) and dead letters created before `before`. */
export async function purgeJobs(queue: JobQueue, params: { before: Date }): Promise<{ deleted: number }> {
  const { rows } = await queue.boss.getDb().executeSql(
    `with gone as (
       delete from ${JOB_SCHEMA}.job
       where (state in ('completed', 'failed', 'cancelled') and coalesce(completed_on, created_on) < $1)
          or (name = $2 and created_on < $1)
       returning 1)
     select count(*)::int as n from gone`,
    [params.before.toISOString(), DEAD_LETTER_QUEUE],
  );
  return { deleted: Number((rows[0] as { n: number } | undefined)?.n ?? 0) };
}
