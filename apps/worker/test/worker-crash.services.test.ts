/**
 * The job engine's delivery promise, with real worker processes (tsx src/main.ts) on a real
 * Postgres: a job whose worker dies holding it runs again elsewhere, and a job that completes
 * never runs again. The queue is `ai-calls.record`: each job inserts one ai_calls row with its
 * own id (ON CONFLICT DO NOTHING), a side effect we can count.
 * Needs TEST_DATABASE_URL — CI sets it; without it this test fails, it never skips.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { aiCalls, JOB_SCHEMA } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { DEAD_LETTER_QUEUE, DEFAULT_JOB_SETTINGS, jobPayloads, openJobQueue, type AiCallPayload, type JobLogger, type JobSettings } from "@companion/jobs";
import { scrape, valueOf } from "@companion/metrics/testing";
import { inArray, sql, type SQL } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

const workerDir = fileURLToPath(new URL("..", import.meta.url));
const QUEUE = "ai-calls.record";
const JOBS = 1000;
const quiet: JobLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in the output (stdout and stderr). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
}

const running: WorkerProcess[] = [];
const databases: TestDatabase[] = [];

afterEach(async () => {
  for (const w of running.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await w.exited;
  }
  for (const db of databases.splice(0)) await db.close();
});

function startWorker(db: TestDatabase, jobEnv: Record<string, string>): WorkerProcess {
  // One process: node with tsx's loader. The tsx binary would run the worker in a child process
  // of its own, and a SIGKILL to it would leave that child running the jobs.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...db.env, WORKER_METRICS_PORT: "0", ...jobEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (c: Buffer) => {
    output += c.toString();
    for (const l of listeners) l();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const worker: WorkerProcess = {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(output);
          if (m) {
            done();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-4000)}`));
        }, timeoutMs);
        const gone = () => {
          done();
          reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${output.slice(-4000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off("exit", gone);
        };
        listeners.add(check);
        child.once("exit", gone);
        check();
      }),
  };
  running.push(worker);
  return worker;
}

/** The settings the worker processes get through JOB_* variables, as JobSettings for the producer. */
function envOf(settings: JobSettings): Record<string, string> {
  return {
    JOB_ATTEMPTS: String(settings.attempts),
    JOB_RETRY_BASE_SECONDS: String(settings.retryBaseSeconds),
    JOB_RETRY_MAX_SECONDS: String(settings.retryMaxSeconds),
    JOB_TIMEOUT_SECONDS: String(settings.timeoutSeconds),
    JOB_CONCURRENCY: String(settings.concurrency),
    JOB_POLL_SECONDS: String(settings.pollSeconds),
  };
}

function aiCall(): AiCallPayload {
  return {
    id: randomUUID(),
    userId: null,
    provider: "crash-test",
    model: "none",
    purpose: "summary",
    outcome: "ok",
    promptTokens: 1,
    completionTokens: 1,
    latencyMs: 1,
    costUsd: 0,
    at: new Date().toISOString(),
  };
}

/**
 * Enqueues one job per call, in bulk, through a producer JobQueue (the same settings as the
 * workers: opening a queue brings the queue's options to its settings). Returns the call ids.
 */
async function enqueueCalls(db: TestDatabase, settings: JobSettings, n: number): Promise<string[]> {
  const producer = await openJobQueue({ connection: db.connection, settings, log: quiet, role: "producer" });
  try {
    const payloads = Array.from({ length: n }, () => jobPayloads[QUEUE].parse({ calls: [aiCall()] }));
    for (let i = 0; i < payloads.length; i += 500) {
      await producer.boss.insert(
        QUEUE,
        payloads.slice(i, i + 500).map((data) => ({ data })),
      );
    }
    return payloads.map((p) => p.calls[0]!.id);
  } finally {
    await producer.stop({ graceMs: 1000 });
  }
}

async function rowsFor(db: TestDatabase, ids: readonly string[]): Promise<number> {
  const [row] = await db.db.select({ n: sql<number>`count(*)::int` }).from(aiCalls).where(inArray(aiCalls.id, [...ids]));
  return row?.n ?? 0;
}

interface JobRow {
  state: string;
  retry_count: number;
  n: number;
}

/** The queue's jobs by state and retry count. */
function jobStates(db: TestDatabase): Promise<JobRow[]> {
  return select<JobRow>(
    db,
    sql`select state::text as state, retry_count, count(*)::int as n from ${sql.raw(JOB_SCHEMA)}.job where name = ${QUEUE} group by 1, 2 order by 1, 2`,
  );
}

/** Rows of a raw statement (Postgres: the driver returns them as an array). */
async function select<T>(db: TestDatabase, statement: SQL): Promise<T[]> {
  const result: unknown = await db.db.execute(statement);
  return [...(result as Iterable<T>)];
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until all JOBS jobs of the queue are completed. */
const untilAllCompleted = (db: TestDatabase) =>
  until(
    "every job completed",
    async () => {
      const states = await jobStates(db);
      return states.every((r) => r.state === "completed") && states.reduce((n, r) => n + r.n, 0) === JOBS;
    },
    60_000,
    200,
  );

describe("worker processes and the job queue", () => {
  it("a worker killed (SIGKILL) in the middle of 1,000 jobs: after a restart every job has completed, each side effect exactly once", async () => {
    const db = await createTestDatabase({ poolSize: 3 });
    databases.push(db);
    // Short settings: a job held by the dead worker expires after 2 + 5 s and is retried 1 s later.
    const settings: JobSettings = { ...DEFAULT_JOB_SETTINGS, timeoutSeconds: 2, retryBaseSeconds: 1, retryMaxSeconds: 5, pollSeconds: 0.5 };
    const ids = await enqueueCalls(db, settings, JOBS);

    // Kill a worker while it holds jobs, some but not all being done. Between two batches it holds
    // none, and a kill there tests nothing: then that worker's successor is killed the same way.
    let atKill: JobRow[] = [];
    let held = 0;
    for (let attempt = 1; held === 0; attempt++) {
      if (attempt > 5) throw new Error(`no kill caught a worker holding jobs: ${JSON.stringify(atKill)}`);
      const worker = startWorker(db, envOf(settings));
      await until(
        "a worker part-way through the jobs, holding some",
        async () => {
          const states = await jobStates(db);
          const count = (state: string) => states.filter((r) => r.state === state).reduce((n, r) => n + r.n, 0);
          if (count("completed") >= JOBS) throw new Error(`the worker finished all ${JOBS} jobs before the kill: nothing was tested`);
          return count("active") > 0 && count("completed") >= 50 * attempt && count("completed") <= JOBS - 300;
        },
        60_000,
        5,
      );
      worker.child.kill("SIGKILL");
      await worker.exited;
      atKill = await jobStates(db);
      held = atKill.filter((r) => r.state === "active").reduce((n, r) => n + r.n, 0);
    }
    const completedAtKill = atKill.filter((r) => r.state === "completed").reduce((n, r) => n + r.n, 0);
    // The dead worker held jobs: these are the ones the restart must pick up after their expiry.
    expect(completedAtKill).toBeLessThan(JOBS);

    const second = startWorker(db, envOf(settings));
    await second.waitFor(/"msg":"worker started"/);
    await untilAllCompleted(db);
    const after = await jobStates(db);
    // Exactly one row per job: the ids, once each, and nothing else from this queue.
    expect(await rowsFor(db, ids)).toBe(JOBS);
    const [total] = await db.db.select({ n: sql<number>`count(*)::int` }).from(aiCalls);
    expect(total?.n).toBe(JOBS);
    // The held jobs were run again (retry_count 1) after their expiry; none went to the dead letters.
    const retried = after.filter((r) => r.retry_count > 0).reduce((n, r) => n + r.n, 0);
    expect(retried, JSON.stringify(after)).toBeGreaterThanOrEqual(held);
    const [dead] = await select<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(JOB_SCHEMA)}.job where name = ${DEAD_LETTER_QUEUE}`);
    expect(dead?.n).toBe(0);

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 120_000);

  it("two workers on one Postgres share 1,000 jobs and no job runs twice", async () => {
    const db = await createTestDatabase({ poolSize: 3 });
    databases.push(db);
    // The default timeout (15 s): a slow run on a busy machine must not expire and run twice for that reason.
    const settings: JobSettings = { ...DEFAULT_JOB_SETTINGS, retryBaseSeconds: 1, retryMaxSeconds: 5, pollSeconds: 0.5 };
    const workers = [startWorker(db, envOf(settings)), startWorker(db, envOf(settings))];
    const urls = await Promise.all(workers.map(async (w) => (await w.waitFor(/"url":"(http:[^"]+\/metrics)"/))[1]!));
    // Both are fetching before the first job exists, so neither can take them all before the other starts.
    const ids = await enqueueCalls(db, settings, JOBS);
    await untilAllCompleted(db);

    const ran = await Promise.all(urls.map(async (url) => valueOf(await scrape(url), "jobs_runs_total", { task: QUEUE, outcome: "ok" })));
    const failed = await Promise.all(urls.map(async (url) => valueOf(await scrape(url), "jobs_runs_total", { task: QUEUE, outcome: "retry" })));
    expect(ran[0]! + ran[1]!, `runs per worker: ${ran.join(", ")}`).toBe(JOBS);
    expect(ran[0], `runs per worker: ${ran.join(", ")}`).toBeGreaterThan(0);
    expect(ran[1], `runs per worker: ${ran.join(", ")}`).toBeGreaterThan(0);
    expect(failed).toEqual([0, 0]);
    expect(await jobStates(db)).toEqual([{ state: "completed", retry_count: 0, n: JOBS }]);
    expect(await rowsFor(db, ids)).toBe(JOBS);

    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  }, 120_000);
});
