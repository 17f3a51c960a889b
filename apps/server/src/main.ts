/**
 * Server entry: parse env, build the runtime, listen, and shut down gracefully on
 * SIGTERM/SIGINT. With WEB_CONCURRENCY > 1 this process becomes the cluster primary
 * (cluster.ts) and its forked workers run the rest of this file.
 */
import cluster from "node:cluster";
import { DataDirLockedError, describeError } from "@companion/db";
import { runPrimary } from "./cluster.ts";
import { EnvError, parseEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./start.ts";

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(env);
  if (cluster.isPrimary && env.WEB_CONCURRENCY > 1) return runPrimary(env, log);
  let app;
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
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    app
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
}

main().catch((err: unknown) => {
  console.error(describeError(err));
  process.exit(1);
});
