/**
 * WEB_CONCURRENCY > 1: one server process per core behind one port (node:cluster), on Postgres. The
 * primary serves nothing: it does once what workers would race to do, replaces a worker that dies and
 * passes signals on (docs/deploy.md, "Several processes").
 */
import cluster, { type Worker } from "node:cluster";
import { openConfiguredDatabase, seedDemoContent } from "@companion/db";
import { serveClusterMetrics } from "@companion/metrics";
import type { Logger } from "pino";
import type { Env } from "./env.ts";
import { loadSecrets } from "./secrets.ts";

/** A worker dying sooner than this after its fork is a crash loop, not bad luck. */
const CRASH_LOOP_MS = 10_000;

export async function runPrimary(env: Env, log: Logger): Promise<void> {
  loadSecrets(env);
  const database = await openConfiguredDatabase(env);
  try {
    await database.migrate();
    if (env.SEED_DEMO) {
      const seeded = await seedDemoContent(database.db);
      if (seeded.companions > 0 || seeded.stories > 0) log.info(seeded, "seeded demo content");
    }
  } finally {
    await database.close();
  }

  let stopping = false;
  const forkedAt = new Map<Worker, number>();
  const fork = () => forkedAt.set(cluster.fork(), Date.now());
  serveClusterMetrics();
  for (let i = 0; i < env.WEB_CONCURRENCY; i++) fork();
  log.info({ workers: env.WEB_CONCURRENCY }, "cluster primary started");
  if (!env.REDIS_URL) log.warn("WEB_CONCURRENCY > 1 without REDIS_URL: each worker keeps its own rate-limit counters");

  // process.exit() exits with process.exitCode: 0, or 1 after a crash loop.
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping the cluster");
    if (forkedAt.size === 0) process.exit();
    for (const worker of forkedAt.keys()) worker.process.kill(signal);
    // Past every worker's own grace period, stop waiting.
    setTimeout(() => {
      for (const worker of forkedAt.keys()) worker.process.kill("SIGKILL");
      process.exit(1);
    }, env.SHUTDOWN_GRACE_MS + 5_000).unref();
  };

  cluster.on("exit", (worker, code, signal) => {
    const lived = Date.now() - (forkedAt.get(worker) ?? 0);
    forkedAt.delete(worker);
    if (stopping) {
      if (forkedAt.size === 0) {
        log.info("all workers stopped");
        process.exit();
      }
      return;
    }
    log.error({ pid: worker.process.pid, code, signal, livedMs: lived }, "server worker died");
    if (lived >= CRASH_LOOP_MS) return void fork();
    log.fatal("a worker died right after starting; stopping the cluster");
    process.exitCode = 1;
    stop("SIGTERM");
  });
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
