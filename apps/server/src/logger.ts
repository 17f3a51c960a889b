import { pino, type Logger } from "pino";
import type { Env } from "./env.ts";

/** JSON logs (pino); request lines carry `reqId`. Secrets in headers are redacted. */
export function createLogger(env: Pick<Env, "LOG_LEVEL">): Logger {
  return pino({
    level: env.LOG_LEVEL,
    // The pid tells cluster workers (WEB_CONCURRENCY) apart.
    base: { service: "companion-server", pid: process.pid },
    redact: ["req.headers.authorization", "password", "*.password", "refreshToken", "*.refreshToken"],
  });
}
