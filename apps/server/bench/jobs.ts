/**
 * The job queue (pg-boss, @companion/jobs), `pnpm bench --only jobs`:
 *
 *  - throughput: N jobs inserted in bulk into one queue of a fresh Postgres database, then one
 *    and then two worker processes (jobs-worker.ts: a worker JobQueue with a handler that does
 *    nothing) are told to start; timed from that moment until no job of the queue is waiting or
 *    running. What it measures is the queue's own cost per job: fetch, run, complete.
 *  - enqueue latency: a real mutation (social.follow: followUser in a withUser transaction, a
 *    new follow each time) with and without `queue.enqueue(tx, "notifications.follow", ...)` in
 *    the same transaction (after the follow, and sent with it), and with a second follow instead
 *    (the control), interleaved; the p50 of each and the differences. On Postgres and on an
 *    in-memory PGlite. At the transaction, not over HTTP: what the enqueue adds to a request is
 *    what it adds to its transaction.
 *
 * JOB_* variables of the environment reach the worker processes (JOB_CONCURRENCY to try another
 * batch size). Figures are printed, not asserted; a job that does not complete fails the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { followUser, JOB_SCHEMA, openDatabase, users, withUser, type DatabaseHandle } from "@companion/db";
import { DEFAULT_JOB_SETTINGS, jobPayloads, openJobQueue, type JobQueue } from "@companion/jobs";
import { freshPostgres } from "./ttft-processes.ts";
import { percentile } from "./stats.ts";

export interface JobsBenchOptions {
  scale: "full" | "small";
  /** Postgres server for the fresh database (null: skip what needs Postgres). */
  postgresUrl: string | null;
  pglite: boolean;
  log: (line: string) => void;
}

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const QUEUE = "media.purge";
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const TARGET_JOBS_PER_SECOND = 500;
const TARGET_ADDED_MS = 1;

interface Throughput {
  workers: number;
  jobs: number;
  ms: number;
  perWorker: number[];
}

interface EnqueueLatency {
  backend: "postgres" | "pglite";
  n: number;
  without: { p50: number; p99: number };
  with: { p50: number; p99: number };
  /** The enqueue sent together with the follow (Promise.all), not after it. */
  pipelined: { p50: number; p99: number };
  /** A second follow instead of the enqueue. */
  control: { p50: number; p99: number };
}

export async function runJobsBench(opts: JobsBenchOptions): Promise<void> {
  const { log, scale } = opts;
  const started = performance.now();
  const jobs = scale === "full" ? 5_000 : 2_000;
  const iterations = scale === "full" ? 2_000 : 500;
  const concurrency = process.env.JOB_CONCURRENCY ?? String(DEFAULT_JOB_SETTINGS.concurrency);
  log(`\njobs, ${scale} scale: throughput of ${jobs.toLocaleString("en-US")} no-op jobs with 1 and 2 worker processes; enqueue latency over ${iterations} follows`);
  const throughputs: Throughput[] = [];
  const latencies: EnqueueLatency[] = [];
  if (opts.postgresUrl) {
    const target = await freshPostgres(opts.postgresUrl);
    try {
      const handle = await openDatabase({ kind: "postgres", url: target.url });
      try {
        await handle.migrate();
        const producer = await openJobQueue({ connection: handle.connection, settings: DEFAULT_JOB_SETTINGS, log: quiet, role: "producer" });
        try {
          for (const workers of [1, 2]) {
            log(`[postgres] ${workers} worker process(es): enqueueing ${jobs} jobs`);
            throughputs.push(await throughput(producer, target.url, workers, jobs, log));
          }
          log(`[postgres] enqueue latency: ${iterations} follows each way`);
          latencies.push(await enqueueLatency(handle, producer, "postgres", iterations));
        } finally {
          await producer.stop({ graceMs: 1_000 });
        }
      } finally {
        await handle.close();
      }
    } finally {
      await target.dispose();
    }
  }
  if (opts.pglite) {
    log(`[pglite] enqueue latency: ${iterations} follows each way`);
    const handle = await openDatabase({ kind: "pglite" });
    try {
      await handle.migrate();
      const producer = await openJobQueue({ connection: handle.connection, settings: DEFAULT_JOB_SETTINGS, log: quiet, role: "producer" });
      try {
        latencies.push(await enqueueLatency(handle, producer, "pglite", iterations));
      } finally {
        await producer.stop({ graceMs: 1_000 });
      }
    } finally {
      await handle.close();
    }
  }

  const load = loadavg().map((l) => l.toFixed(1)).join(" ");
  log(`\n===== jobs (${scale} scale; load average ${load}) =====`);
  if (throughputs.length > 0) {
    log(`throughput on Postgres, ${QUEUE} with a no-op handler, JOB_CONCURRENCY ${concurrency} (batch of that size per fetch), from "go" until none is pending:`);
    for (const t of throughputs) {
      const rate = t.jobs / (t.ms / 1000);
      const met = t.workers === 1 ? `  (target ≥ ${TARGET_JOBS_PER_SECOND}: ${rate >= TARGET_JOBS_PER_SECOND ? "met" : "MISSED"})` : "";
      const split = t.workers > 1 ? `, ran ${t.perWorker.map((n) => n.toLocaleString("en-US")).join(" + ")}` : "";
      log(`  ${t.workers} worker${t.workers > 1 ? "s" : " "}: ${t.jobs.toLocaleString("en-US")} jobs in ${(t.ms / 1000).toFixed(2)} s = ${Math.round(rate).toLocaleString("en-US")} jobs/s${split}${met}`);
    }
  }
  if (latencies.length > 0) {
    log(`enqueue in the request's transaction: social.follow's transaction (withUser + followUser), ms:`);
    for (const l of latencies) {
      const added = l.with.p50 - l.without.p50;
      const f = (s: { p50: number; p99: number }) => `p50 ${s.p50.toFixed(3)} (p99 ${s.p99.toFixed(3)})`;
      const pipelined = l.pipelined.p50 - l.without.p50;
      log(`  ${l.backend.padEnd(8)} n ${l.n}  follow ${f(l.without)}`);
      log(`  ${"".padEnd(8)} + enqueue after it ${f(l.with)}  added p50 ${added.toFixed(3)}  (target < ${TARGET_ADDED_MS}: ${added < TARGET_ADDED_MS ? "met" : "MISSED"})`);
      log(`  ${"".padEnd(8)} + enqueue with it (Promise.all) ${f(l.pipelined)}  added p50 ${pipelined.toFixed(3)}  (target < ${TARGET_ADDED_MS}: ${pipelined < TARGET_ADDED_MS ? "met" : "MISSED"})`);
      log(`  ${"".padEnd(8)} + a second follow instead (control) ${f(l.control)}  added p50 ${(l.control.p50 - l.without.p50).toFixed(3)}`);
    }
  }
  log(`\njobs done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface BenchWorker {
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

/** A jobs-worker.ts process; resolves once its queue is open. */
async function startWorker(url: string): Promise<BenchWorker> {
  const jobEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("JOB_")));
  const child = spawn(process.execPath, ["--import", "tsx", "bench/jobs-worker.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...jobEnv, DATABASE_URL: url, BENCH_JOB_QUEUE: QUEUE },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done || first.value !== "ready") throw new Error(`bench worker did not start (exit ${child.exitCode}): ${String(first.value)}`);
  return { child, lines };
}

async function pending(queue: JobQueue): Promise<number> {
  const { rows } = await queue.boss
    .getDb()
    .executeSql(`select count(*)::int as n from ${JOB_SCHEMA}.job where name = $1 and state in ('created', 'retry', 'active')`, [QUEUE]);
  return Number((rows[0] as { n: number }).n);
}

async function throughput(producer: JobQueue, url: string, workers: number, jobs: number, log: (line: string) => void): Promise<Throughput> {
  // Checked against the queue's schema once, as send() would, then inserted 1,000 to a statement.
  const payloads = Array.from({ length: jobs }, (_, i) => jobPayloads[QUEUE].parse({ keys: [`bench/${workers}/${i}`] }));
  for (let i = 0; i < payloads.length; i += 1_000) await producer.boss.insert(QUEUE, payloads.slice(i, i + 1_000).map((data) => ({ data })));
  if ((await pending(producer)) !== jobs) throw new Error(`expected ${jobs} pending jobs before the start`);
  const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(url)));
  try {
    log(`[postgres] ${workers} worker process(es) ready; go`);
    const t0 = performance.now();
    for (const p of procs) p.child.stdin!.write("go\n");
    const deadline = Date.now() + 300_000;
    while ((await pending(producer)) > 0) {
      if (Date.now() > deadline) throw new Error(`jobs still pending after 300 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t0;
    const perWorker: number[] = [];
    for (const p of procs) {
      p.child.stdin!.end();
      const line = await p.lines.next();
      perWorker.push(line.done ? NaN : (JSON.parse(line.value) as { ran: number }).ran);
    }
    const ran = perWorker.reduce((a, b) => a + b, 0);
    if (ran !== jobs) throw new Error(`the workers ran ${ran} jobs, ${jobs} were enqueued`);
    return { workers, jobs, ms, perWorker };
  } finally {
    for (const p of procs) {
      if (p.child.exitCode === null) {
        const exited = once(p.child, "exit");
        p.child.kill("SIGTERM");
        await exited;
      }
    }
  }
}

/**
 * social.follow's transaction (withUser, then followUser: the target's profile check and the
 * insert), each time a new target: as it is, with its notification job enqueued (after the
 * follow, or together with it), and with a second follow instead (the control: what any one
 * more small write adds to the transaction, which on a loaded machine is mostly the scheduling
 * of one more round trip). The four interleaved, in rotating order, so drift and cache effects
 * fall on all alike.
 */
async function enqueueLatency(handle: DatabaseHandle, queue: JobQueue, backend: "postgres" | "pglite", iterations: number): Promise<EnqueueLatency> {
  const warmup = 100;
  const rounds = warmup + iterations;
  const rows = Array.from({ length: 5 * rounds + 1 }, (_, i) => ({ email: `bench-jobs-${i}@example.com`, passwordHash: "x", displayName: `Bench ${i}` }));
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 1_000) {
    ids.push(...(await handle.db.insert(users).values(rows.slice(i, i + 1_000)).returning({ id: users.id })).map((r) => r.id));
  }
  const [userId, ...targets] = ids as [string, ...string[]];
  let next = 0;
  const target = () => targets[next++]!;
  const variants = {
    without: () => withUser(handle.db, userId, (tx) => followUser(tx, { userId, targetId: target() })),
    with: () =>
      withUser(handle.db, userId, async (tx) => {
        const targetId = target();
        const result = await followUser(tx, { userId, targetId });
        await queue.enqueue(tx, "notifications.follow", { followerId: userId, followeeId: targetId });
        return result;
      }),
    // Sent with the write rather than after it (postgres.js pipelines a transaction's statements),
    // as chat.ts does with the reply: a failed write still rolls the job back with it.
    pipelined: () =>
      withUser(handle.db, userId, async (tx) => {
        const targetId = target();
        const [result] = await Promise.all([
          followUser(tx, { userId, targetId }),
          queue.enqueue(tx, "notifications.follow", { followerId: userId, followeeId: targetId }),
        ]);
        return result;
      }),
    control: () =>
      withUser(handle.db, userId, async (tx) => {
        await followUser(tx, { userId, targetId: target() });
        return followUser(tx, { userId, targetId: target() });
      }),
  };
  const order = Object.keys(variants) as (keyof typeof variants)[];
  const samples: Record<keyof typeof variants, number[]> = { without: [], with: [], pipelined: [], control: [] };
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < order.length; j++) {
      const which = order[(i + j) % order.length]!;
      const t0 = performance.now();
      await variants[which]();
      if (i >= warmup) samples[which].push(performance.now() - t0);
    }
  }
  const { rows: queued } = await queue.boss.getDb().executeSql(`select count(*)::int as n from ${JOB_SCHEMA}.job where name = 'notifications.follow'`, []);
  if (Number((queued[0] as { n: number }).n) !== 2 * rounds) throw new Error(`expected ${2 * rounds} notifications.follow jobs, found ${JSON.stringify(queued[0])}`);
  const sum = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99) });
  return { backend, n: iterations, without: sum(samples.without), with: sum(samples.with), pipelined: sum(samples.pipelined), control: sum(samples.control) };
}
