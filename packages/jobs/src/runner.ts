/**
 * One fetched batch of a queue, run concurrently: each job is checked against its payload
 * schema, given a timeout, and settled on its own (completed, failed for a retry, or dead:
 * straight to the dead-letter queue), so one failure never fails its neighbours.
 */
import { serializeError } from "@companion/db";
import { DomainError } from "@companion/errors";
import { jobDuration, jobLastSuccess, jobRuns, jobWait } from "@companion/metrics";
import type { JobResult, JobWithMetadata } from "pg-boss";
import { PermanentJobError } from "./errors.ts";
import { jobPayloads, type JobData, type JobName } from "./queues.ts";

/** The subset of a pino logger the runner uses. */
export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

interface JobContext {
  id: string;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted at the job's timeout: pass it to anything that can stop early. */
  signal: AbortSignal;
}

/**
 * A job's work. It must be idempotent: a job runs again when its worker dies before marking it
 * done, so a second run must change nothing the first one already did. Resolves to counts that
 * are logged (e.g. `{ deleted: 3 }`); throws PermanentJobError (or a DomainError such as
 * NOT_FOUND) when no retry can help.
 */
export type JobHandler<N extends JobName> = (data: JobData<N>, context: JobContext) => Promise<Record<string, number | undefined> | void>;

export type JobHandlers = { [N in JobName]?: JobHandler<N> };

/** Errors no retry fixes: bad input and rows that no longer exist. A dependency being down is retried. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentJobError) return true;
  if (err instanceof DomainError) return err.code !== "SERVICE_UNAVAILABLE" && err.code !== "TOO_MANY_REQUESTS";
  return false;
}

class JobTimeoutError extends Error {
  constructor(ms: number) {
    super(`job timed out after ${ms} ms`);
    this.name = "JobTimeoutError";
  }
}

export async function runBatch<N extends JobName>(
  name: N,
  handler: JobHandler<N>,
  jobs: JobWithMetadata<unknown>[],
  options: { log: JobLogger; timeoutMs: number },
): Promise<JobResult[]> {
  return Promise.all(jobs.map((job) => runOne(name, handler, job, options)));
}

async function runOne<N extends JobName>(
  name: N,
  handler: JobHandler<N>,
  job: JobWithMetadata<unknown>,
  { log, timeoutMs }: { log: JobLogger; timeoutMs: number },
): Promise<JobResult> {
  const task = { task: name };
  const startedAt = performance.now();
  const attempt = job.retryCount + 1;
  const lastAttempt = job.retryCount >= job.retryLimit;
  const runnableSince = Math.max(new Date(job.createdOn).getTime(), new Date(job.startAfter).getTime());
  jobWait.observe(task, Math.max(0, Date.now() - runnableSince) / 1000);
  const fields = { job: name, id: job.id, attempt };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    const parsed = jobPayloads[name].safeParse(job.data);
    if (!parsed.success) throw new PermanentJobError(`invalid payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new JobTimeoutError(timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const result = await Promise.race([handler(parsed.data as JobData<N>, { id: job.id, attempt, signal: controller.signal }), timeout]);
    const ms = Math.round(performance.now() - startedAt);
    const changed = result && Object.values(result).some((n) => n !== undefined && n > 0);
    log[changed ? "info" : "debug"]({ ...fields, ...(result ?? {}), ms }, "job done");
    jobRuns.inc({ ...task, outcome: "ok" });
    jobLastSuccess.set(task, Date.now() / 1000);
    return { id: job.id, status: "completed", output: result ?? {} };
  } catch (err) {
    const permanent = isPermanent(err);
    const dead = permanent || lastAttempt;
    // Never the payload: it may name users; the error is logged without statement parameters.
    log[dead ? "error" : "warn"]({ ...fields, err: serializeError(err), permanent, willRetry: !dead }, dead ? "job failed for good: dead-letter queue" : "job failed: will retry");
    jobRuns.inc({ ...task, outcome: dead ? "dead" : "retry" });
    const output = { error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : "error", permanent };
    return { id: job.id, status: permanent ? "deadletter" : "failed", output };
  } finally {
    clearTimeout(timer);
    jobDuration.observe(task, (performance.now() - startedAt) / 1000);
  }
}
