/**
 * Errors of the database layer. DomainError itself lives in @companion/errors (it depends
 * on nothing, so packages that never touch the database throw it too); it is re-exported
 * here for the query files that throw it.
 */
import { DomainError } from "@companion/errors";

export { DomainError } from "@companion/errors";

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);

/** A dependency outage: the client should retry after `retryAfterMs` (sent as Retry-After). */
export const serviceUnavailable = (what: string, retryAfterMs: number, cause?: unknown) =>
  new DomainError("SERVICE_UNAVAILABLE", `${what} is unavailable; try again shortly`, { retryAfterMs }, cause === undefined ? undefined : { cause });

/** Postgres unique-violation, from either driver. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const rec = e as { code?: unknown; constraint_name?: unknown; constraint?: unknown; cause?: unknown };
    if (rec.code === "23505") {
      return constraint === undefined || rec.constraint_name === constraint || rec.constraint === constraint;
    }
    e = rec.cause;
  }
  return false;
}

/** Seconds a client should wait (Retry-After) when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_MS = 2_000;

// Connection-level failures: the network (Node), postgres.js' own, and the SQLSTATEs of a
// server going away or refusing sessions (class 08 is matched as a prefix).
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
]);

/** The error and what it wraps: `cause` chains and AggregateError's `errors` (dual-stack connects). */
function* errorChain(err: unknown): Generator<Record<string, unknown>> {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length > 0 && seen < 8; seen++) {
    const e = queue.shift();
    if (!e || typeof e !== "object") continue;
    const rec = e as Record<string, unknown>;
    yield rec;
    queue.push(rec.cause);
    if (Array.isArray(rec.errors)) queue.push(...(rec.errors as unknown[]).slice(0, 4));
  }
}

/**
 * The database could not be reached or dropped the connection: not the statement's fault,
 * and worth retrying shortly. Matches what either driver throws, wrapped or not.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    const code = e.code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  }
  return false;
}

/**
 * A foreign-key violation on a reference to `users`: a write named a user that does not exist.
 * (Under Row Level Security Postgres leaves the key's value out of the detail, so which
 * user is for the caller to find out.)
 */
export function isUserReferenceViolation(err: unknown): boolean {
  for (const e of errorChain(err)) {
    if (e.code === "23503") return typeof e.detail === "string" && e.detail.includes('table "users"');
  }
  return false;
}

/**
 * The DomainError a driver error stands for, or null when it is a bug: an unreachable
 * database is SERVICE_UNAVAILABLE (503 + Retry-After).
 */
export function domainErrorOfDriverError(err: unknown): DomainError | null {
  return isDatabaseUnavailable(err) ? serviceUnavailable("The database", DATABASE_RETRY_AFTER_MS, err) : null;
}
