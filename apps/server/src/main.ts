/**
 * Server entry: load `.env`, parse env, build the runtime, listen, and shut down gracefully
 * on SIGTERM/SIGINT. With WEB_CONCURRENCY > 1 this process becomes the cluster primary
 * (cluster.ts) and its forked workers run the rest of this file.
 */
import cluster from "node:cluster";
import { DataDirLockedError, describeError, loadDotEnv } from "@companion/db";
import { runPrimary } from "./cluster.ts";
import { parseEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { startServer, type RunningServer } from "./start.ts";

async function main(): Promise<void> {
  let env;
  try {
    loadDotEnv();
    env = parseEnv();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(78); // EX_CONFIG
  }
  const log = createLogger(env);
  if (cluster.isPrimary && env.WEB_CONCURRENCY > 1) return runPrimary(env, log);

  // Handlers go in before anything opens: a SIGTERM while the database is still being
  // created or migrated waits for that to finish, then stops, instead of killing it halfway.
  let app: RunningServer | undefined;
  let stopSignal: string | undefined;
  const stop = (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    log.info({ signal, starting: !app }, "shutting down");
    if (app) drain(app);
  };
  const drain = (running: RunningServer) => {
    running
      .stop()
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

  try {
    app = await startServer(env, log, undefined, { prepared: cluster.isWorker });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      log.fatal(err.message);
      console.error(err.message);
      process.exit(75); // EX_TEMPFAIL
    }
    throw err;
  }
  if (stopSignal) drain(app);
}

main().catch((err: unknown) => {
  console.error(describeError(err));
  process.exit(1);
});
