/**
 * The job queue: pg-boss on the product's database, the real Postgres or the embedded PGlite
 * (the one instance, through pg-boss's PGlite adapter). Request code enqueues inside its own
 * transaction (`enqueue`), so a job exists exactly when the write that needs it commits.
 * Workers (`work`) run the handlers with retries, backoff, a timeout and a dead-letter queue
 * (docs/jobs.md).
 */
import { JOB_SCHEMA, jobStatementsIn, serializeError, type Database, type DatabaseConnection } from "@companion/db";
import { jobQueueDepth, jobsEnqueued } from "@companion/metrics";
import { PgBoss, fromPglite, type ConstructorOptions, type Queue, type SendOptions } from "pg-boss";
import { DEAD_LETTER_QUEUE, jobNames, jobPayloads, type JobData, type JobName, type ScheduledJob } from "./queues.ts";
import { runBatch, type JobHandlers, type JobLogger } from "./runner.ts";
import type { JobSettings } from "./settings.ts";

interface EnqueueOptions {
  /** Not before this time (or this many seconds from now). */
  startAfter?: Date | number;
  /** At most one job with this key waits in the queue at a time (pg-boss singletonKey). */
  singletonKey?: string;
}

export interface JobQueue {
  /**
   * Adds a job inside `db`, the caller's transaction (a `withUser` transaction included): it
   * exists if and only if that transaction commits. Returns its id (null: a singleton already waits).
   */
  enqueue<N extends JobName>(db: Database, name: N, data: JobData<N>, options?: EnqueueOptions): Promise<string | null>;
  /** Adds a job on its own, outside any transaction. */
  send<N extends JobName>(name: N, data: JobData<N>, options?: EnqueueOptions): Promise<string | null>;
  /** Runs the handlers in this process until `stop` (also registers the recurring schedules). */
  work(handlers: JobHandlers): Promise<void>;
  /** Updates `jobs_queue_depth` from the queues' counts. */
  refreshDepth(): Promise<void>;
  /**
   * Resolves once no job of `names` (default: every queue but the dead letters) is waiting,
   * due for a retry or running: for tests and scripts that need the effects of what they enqueued.
   */
  idle(options?: { names?: readonly string[]; timeoutMs?: number }): Promise<void>;
  /** Stops fetching, waits for the runs in progress (up to `graceMs`), closes the connection. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** pg-boss itself, for the admin commands (packages/jobs/src/admin.ts). */
  readonly boss: PgBoss;
  readonly settings: JobSettings;
}

export interface JobQueueOptions {
  connection: DatabaseConnection;
  settings: JobSettings;
  log: JobLogger;
  /** `worker`: this process runs jobs (and supervises the queues: expiry, retention, cron). */
  role: "producer" | "worker";
  /** Connections of pg-boss's own pool on Postgres. */
  poolSize?: number;
}

const toSendOptions = (db: Database | undefined, options: EnqueueOptions = {}): SendOptions => ({
  // In the caller's transaction, as a named prepared statement (jobStatementsIn; pg-boss's fromDrizzle sends it unprepared).
  ...(db ? { db: jobStatementsIn(db) } : {}),
  ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
  ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
});

/** Retry, timeout and retention of every queue, from the settings. */
function queueOptions(settings: JobSettings): Omit<Queue, "name"> {
  return {
    retryLimit: settings.attempts - 1,
    retryDelay: settings.retryBaseSeconds,
    retryBackoff: true,
    retryDelayMax: settings.retryMaxSeconds,
    // The handler's own timeout ends a run; this is the backstop for a worker that died
    // holding the job (SIGKILL, OOM): past it, the job is failed and retried elsewhere.
    expireInSeconds: settings.timeoutSeconds + 5,
    deleteAfterSeconds: settings.retentionDays * 86_400,
    retentionSeconds: 14 * 86_400,
    deadLetter: DEAD_LETTER_QUEUE,
    notify: true,
  };
}

const DEPTH_REFRESH_MS = 15_000;

export async function openJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const { connection, settings, log, role } = options;
  const working = role === "worker";
  const common: ConstructorOptions = {
    schema: JOB_SCHEMA,
    // Installed with the migrations (packages/db job-schema.ts); a newer pg-boss upgrades it here.
    migrate: true,
    supervise: working,
    schedule: working,
    // How soon a job whose worker died is noticed (its expiry), and how fresh the depth metric is.
    superviseIntervalSeconds: Math.max(1, Math.min(60, settings.timeoutSeconds)),
    monitorIntervalSeconds: 15,
    cronWorkerIntervalSeconds: 5,
  };
  const boss =
    connection.kind === "pglite"
      ? new PgBoss({ ...common, db: fromPglite(connection.client), backend: "pglite", useListenNotify: true })
      : new PgBoss({
          ...common,
          connectionString: connection.url,
          max: options.poolSize ?? (working ? settings.concurrency + 2 : 2),
          application_name: working ? "companion-jobs" : "companion-enqueue",
          connectionTimeoutMillis: connection.connectTimeoutMs,
          // A transaction pooler keeps no session to LISTEN on: workers then poll.
          useListenNotify: connection.pooler !== "transaction",
        });
  boss.on("error", (err) => log.error({ err: serializeError(err) }, "job queue error"));
  boss.on("warning", (warning: { message: string }) => log.warn({ warning: warning.message }, "job queue warning"));
  await boss.start();
  try {
    await ensureQueues(boss, settings, { update: working });
  } catch (err) {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    throw err;
  }

  let depthTimer: NodeJS.Timeout | undefined;
  const refreshDepth = async () => {
    for (const queue of await boss.getQueues()) {
      const labels = { task: queue.name };
      jobQueueDepth.set({ ...labels, state: "ready" }, queue.readyCount);
      jobQueueDepth.set({ ...labels, state: "deferred" }, queue.deferredCount);
      jobQueueDepth.set({ ...labels, state: "active" }, queue.activeCount);
      jobQueueDepth.set({ ...labels, state: "failed" }, queue.failedCount);
    }
  };

  const send = async (db: Database | undefined, name: JobName, data: unknown, opts?: EnqueueOptions) => {
    // A payload that does not parse is a bug in the caller: refuse it here, not in a worker later.
    const payload = jobPayloads[name].parse(data);
    const id = await boss.send(name, payload, toSendOptions(db, opts));
    jobsEnqueued.inc({ task: name });
    return id;
  };

  return {
    boss,
    settings,
    enqueue: (db, name, data, opts) => send(db, name, data, opts),
    send: (name, data, opts) => send(undefined, name, data, opts),
    async work(handlers) {
      for (const [name, handler] of Object.entries(handlers) as [JobName, JobHandlers[JobName]][]) {
        if (!handler) continue;
        await boss.work(
          name,
          {
            batchSize: settings.concurrency,
            perJobResults: true,
            includeMetadata: true,
            pollingIntervalSeconds: settings.pollSeconds,
            // NOTIFY wakes a worker for new jobs, not for retries coming due: those wait for this poll.
            notifyPollingIntervalSeconds: settings.pollSeconds * 5,
            burstWhenBatchFull: true,
          },
          (jobs) => runBatch(name, handler, jobs, { log, timeoutMs: settings.timeoutSeconds * 1000 }),
        );
      }
      for (const [name, cron] of Object.entries(settings.schedules) as [ScheduledJob, string][]) {
        if (!handlers[name]) continue;
        // "off" also drops a schedule an earlier start registered.
        if (cron === "off") await boss.unschedule(name);
        else await boss.schedule(name, cron, {}, { tz: "UTC", missed: "once" });
      }
      // The counts pg-boss's monitor keeps (every 15 s), into jobs_queue_depth.
      depthTimer ??= setInterval(() => void refreshDepth().catch((err: unknown) => log.warn({ err: serializeError(err) }, "queue depth not read")), DEPTH_REFRESH_MS).unref();
    },
    refreshDepth,
    async idle({ names = jobNames, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      const db = boss.getDb();
      for (;;) {
        const { rows } = await db.executeSql(
          `select count(*)::int as n from ${JOB_SCHEMA}.job
           where name = any($1::text[]) and state in ('created', 'retry', 'active')`,
          [names],
        );
        if (Number((rows[0] as { n: number }).n) === 0) return;
        if (Date.now() > deadline) throw new Error(`jobs still pending after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop({ graceMs = settings.timeoutSeconds * 1000 } = {}) {
      clearInterval(depthTimer);
      await boss.stop({ graceful: true, timeout: graceMs, close: true });
    },
  };
}

/**
 * Creates missing queues (the dead-letter queue first). Workers (`update`) also bring existing
 * ones to their settings, so changing JOB_ATTEMPTS or JOB_TIMEOUT_SECONDS takes effect on the
 * next worker start; a producer (a server sending jobs, the admin CLI) never changes them.
 */
async function ensureQueues(boss: PgBoss, settings: JobSettings, { update }: { update: boolean }): Promise<void> {
  const existing = new Map((await boss.getQueues()).map((q) => [q.name, q]));
  const options = queueOptions(settings);
  // Nobody works the dead-letter queue: its jobs wait there for an operator (pnpm admin jobs:*).
  const deadLetter = { retentionSeconds: 30 * 86_400, deleteAfterSeconds: 30 * 86_400 };
  if (!existing.has(DEAD_LETTER_QUEUE)) await boss.createQueue(DEAD_LETTER_QUEUE, deadLetter);
  for (const name of jobNames) {
    const queue = existing.get(name);
    if (!queue) {
      await boss.createQueue(name, options).catch(async (err: unknown) => {
        // Another process created it meanwhile.
        if (!(await boss.getQueue(name))) throw err;
      });
    } else if (
      update &&
      (queue.retryLimit !== options.retryLimit ||
      queue.retryDelay !== options.retryDelay ||
      queue.retryDelayMax !== options.retryDelayMax ||
      queue.expireInSeconds !== options.expireInSeconds ||
      queue.deleteAfterSeconds !== options.deleteAfterSeconds ||
      queue.notify !== options.notify)
    ) {
      const { deadLetter: dlq, notify, ...rest } = options;
      await boss.updateQueue(name, { ...rest, deadLetter: dlq ?? null, ...(notify === undefined ? {} : { notify }) });
    }
  }
}
