import { logSerializers } from "@companion/db";
import { pino, type DestinationStream, type Logger } from "pino";
import type { Env } from "./env.ts";

/**
 * JSON logs (pino) with `reqId`; secret headers redacted, errors through `logSerializers`, bodies never
 * logged (docs/errors.md, "Logs"). `destination`: stdout by default; tests capture it.
 */
export function createLogger(env: Pick<Env, "LOG_LEVEL">, destination?: DestinationStream): Logger {
  const options = {
    level: env.LOG_LEVEL,
    // The pid tells cluster workers (WEB_CONCURRENCY) apart.
    base: { service: "companion-server", pid: process.pid },
    redact: ["req.headers.authorization", "password", "*.password", "refreshToken", "*.refreshToken"],
    serializers: logSerializers,
  };
  return destination ? pino(options, destination) : pino(options);
}
