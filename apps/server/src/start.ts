import type { DatabaseHandle } from "@companion/db";
import { collectProcessMetrics, startMetricsServer, type MetricsServer } from "@companion/metrics";
import type { Logger } from "pino";
import type { Env } from "./env.ts";
import { createHttpApp, type HttpApp } from "./http.ts";
import { createRuntime, type Runtime } from "./services.ts";

export interface RunningServer {
  url: string;
  /** The METRICS_PORT listener's `/metrics` address, when METRICS_PORT is set. */
  metricsUrl: string | null;
  app: HttpApp;
  runtime: Runtime;
  /** Graceful: HTTP first (in-flight requests finish), then replies being written, the jobs running here, the database. */
  stop(): Promise<void>;
}

/**
 * Builds the runtime and listens. Tests call this in-process with their own database.
 * `prepared`: a cluster worker, whose primary has already migrated and seeded (cluster.ts).
 */
export async function startServer(env: Env, log: Logger, database?: DatabaseHandle, options: { prepared?: boolean } = {}): Promise<RunningServer> {
  collectProcessMetrics();
  const runtime = await createRuntime(env, log, database, options);
  const app = createHttpApp(env, runtime, log);
  let address;
  try {
    address = await app.listen();
  } catch (err) {
    await runtime.close();
    throw err;
  }
  let metrics: MetricsServer | null;
  try {
    metrics = await startInternalMetrics(env, log);
  } catch (err) {
    await app.shutdown();
    await runtime.close();
    throw err;
  }
  const url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, database: runtime.database.kind }, "listening");
  if (metrics) log.info({ url: `${metrics.url}/metrics` }, "metrics listening");
  return {
    url,
    metricsUrl: metrics ? `${metrics.url}/metrics` : null,
    app,
    runtime,
    stop: async () => {
      await Promise.all([app.shutdown(), metrics?.close()]);
      await runtime.close();
    },
  };
}

/** METRICS_PORT: /metrics without a token, for a scraper on an internal network (docs/metrics.md). */
function startInternalMetrics(env: Env, log: Logger): Promise<MetricsServer | null> {
  if (env.METRICS_PORT === undefined) return Promise.resolve(null);
  return startMetricsServer({ host: env.METRICS_HOST, port: env.METRICS_PORT, onError: (err) => log.error({ err }, "metrics scrape failed") });
}
