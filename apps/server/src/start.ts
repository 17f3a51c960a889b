import type { DatabaseHandle } from "@companion/db";
import type { Logger } from "pino";
import type { Env } from "./env.ts";
import { createHttpApp, type HttpApp } from "./http.ts";
import { createRuntime, type Runtime } from "./services.ts";

export interface RunningServer {
  url: string;
  app: HttpApp;
  runtime: Runtime;
  /** Graceful: HTTP first (in-flight requests finish), then the database. */
  stop(): Promise<void>;
}

/** Builds the runtime and listens. Tests call this in-process with their own database. */
export async function startServer(env: Env, log: Logger, database?: DatabaseHandle): Promise<RunningServer> {
  const runtime = await createRuntime(env, log, database);
  const app = createHttpApp(env, runtime, log);
  let address;
  try {
    address = await app.listen();
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, database: runtime.database.kind }, "listening");
  return {
    url,
    app,
    runtime,
    stop: async () => {
      await app.shutdown();
      await runtime.close();
    },
  };
}
