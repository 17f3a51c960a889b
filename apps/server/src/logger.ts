import { logSerializers } from "@companion/db";
import { pino, type DestinationStream, type Logger } from "pino";
import type { Env } from "./env.ts";

/**
 * JSON logs (pino); lines about a request carry `reqId`. Secrets in headers are redacted,
 * and errors go through `logSerializers` (@companion/db): no statement parameters, row
 * values or message text reach a log. Request and response bodies are never logged.
 * `destination`: where lines go (stdout by default; tests capture them).
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
