/**
 * Worker entry (`pnpm --filter @companion/worker start`): the background jobs against
 * DATABASE_URL, on their intervals, until SIGTERM/SIGINT; then the run in progress finishes
 * and the process exits 0. With WORKER_METRICS_PORT it serves its metrics for a scrape.
 */
import { describeError, loadDotEnv, logSerializers, openConfiguredDatabase } from "@companion/db";
import { collectProcessMetrics, startMetricsServer } from "@companion/metrics";
import { pino } from "pino";
import { parseWorkerEnv } from "./env.ts";
import { startJobs } from "./jobs.ts";

async function main(): Promise<void> {
  let env;
  try {
    loadDotEnv();
    env = parseWorkerEnv();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(78); // EX_CONFIG
  }
  // Errors are logged without statement parameters or row values (logSerializers).
  const log = pino({ level: env.LOG_LEVEL, base: { service: "companion-worker" }, serializers: logSerializers });
  const database = await openConfiguredDatabase(env);
  // Migrations run under an advisory lock, so starting alongside the server is safe.
  await database.migrate();
  const jobs = startJobs(database.db, log, {
    storyExpiryIntervalMs: env.STORY_EXPIRY_INTERVAL_MS,
    storyDeleteGraceMs: env.STORY_DELETE_GRACE_MS,
    eventPruneIntervalMs: env.EVENT_PRUNE_INTERVAL_MS,
    eventRetentionMs: env.EVENT_RETENTION_MS,
  });
  log.info({ database: database.kind }, "worker started");
  collectProcessMetrics();
  const metrics =
    env.WORKER_METRICS_PORT === undefined
      ? null
      : await startMetricsServer({ host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT, onError: (err) => log.error({ err }, "metrics scrape failed") });
  if (metrics) log.info({ url: `${metrics.url}/metrics` }, "metrics listening");

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    Promise.all([jobs.stop(), metrics?.close()])
      .then(() => database.close())
      .then(() => {
        log.info("stopped");
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(describeError(err));
  process.exit(1);
});
