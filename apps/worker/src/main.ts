/**
 * Worker entry (`pnpm --filter @companion/worker start`): runs the jobs (packages/api/src/jobs)
 * from the queue on DATABASE_URL, and the recurring schedules, until SIGTERM/SIGINT; then the
 * runs in progress finish (up to JOB_TIMEOUT_SECONDS) and the process exits 0. Any number of
 * workers may run at once: each job goes to one of them. With WORKER_METRICS_PORT it serves
 * its metrics for a scrape.
 */
import { createChatChainFromConfig, createEmbedderFromConfig, hasNetworkProvider } from "@companion/ai";
import { createAiCallRecorder, createBackgroundTasks, createJobHandlers, createMediaService, createSearchService } from "@companion/api";
import { describeError, loadDotEnv, logSerializers, openConfiguredDatabase, quotaLimitsFromEnv, resolveDataDir } from "@companion/db";
import { jobSettingsFromEnv, openJobQueue, proactiveSettingsFromEnv } from "@companion/jobs";
import { createConfiguredPushSender } from "@companion/push";
import { collectProcessMetrics, startMetricsServer, trackBreakers } from "@companion/metrics";
import { openConfiguredStorage } from "@companion/storage";
import { pino } from "pino";
import { parseWorkerEnv } from "./env.ts";

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
  // Migrations (and the job schema) run under an advisory lock, so starting alongside the server is safe.
  await database.migrate();
  const jobsLog = log.child({ component: "jobs" });
  const queue = await openJobQueue({ connection: database.connection, settings: jobSettingsFromEnv(env), log: jobsLog, role: "worker" });

  // What the handlers need: the stored media (a purge deletes objects; this process signs no
  // URLs) and the model chain (the after-reply job classifies sentiment with it when configured).
  const storage = await openConfiguredStorage(env, { dataDir: env.dataDir, baseDir: resolveDataDir({ DATA_DIR: "." }) });
  const tasks = createBackgroundTasks(log);
  const calls = createAiCallRecorder({ jobs: queue, tasks, log });
  const chain = createChatChainFromConfig(env.ai, { onCall: calls.onCall });
  const untrackBreakers = trackBreakers(chain);
  await queue.work(
    createJobHandlers({
      db: database.db,
      queue,
      media: createMediaService({ storage, log }),
      chat: { chain, calls, sentiment: hasNetworkProvider(env.ai) ? "model" : "lexicon", quotas: quotaLimitsFromEnv(env) },
      search: { embedder: (await createSearchService({ db: database.db, embedder: createEmbedderFromConfig(env.ai, { onCall: calls.onCall }), log })).embedder },
      push: createConfiguredPushSender(env, log.child({ component: "push" })),
      retention: { storyDeleteGraceMs: env.STORY_DELETE_GRACE_MS, eventRetentionMs: env.EVENT_RETENTION_MS },
      proactive: proactiveSettingsFromEnv(env),
      log: jobsLog,
    }),
  );
  // A fresh database gets companions' stories now, not at the first cron tick (docs/stories.md#schedule).
  if (env.COMPANION_STORY_CRON !== "off") await queue.send("stories.companion-post", {});
  log.info({ database: database.kind, concurrency: env.JOB_CONCURRENCY }, "worker started");
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
    Promise.all([queue.stop(), metrics?.close()])
      .then(() => tasks.drain())
      .then(() => {
        untrackBreakers();
        return database.close();
      })
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
