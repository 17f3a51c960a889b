import { pino, type Logger } from "pino";
import type { Env } from "./env.ts";

/** JSON logs (pino); request lines carry `reqId`. Secrets in headers are redacted. */
export function createLogger(env: Pick<Env, "LOG_LEVEL">): Logger {
  return pino({
    level: env.LOG_LEVEL,
    base: { service: "companion-server" },
    redact: ["req.headers.authorization", "password", "*.password", "refreshToken", "*.refreshToken"],
  });
}
