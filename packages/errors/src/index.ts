/**
 * Typed domain errors, thrown by query functions, services and limiters. Depends on nothing,
 * so any package can throw one without depending on the database.
 *
 * A `code` says what happened. The generic codes name a kind of failure; the specific ones
 * name a situation a client must tell apart to react to it (start a list over, send with a
 * new idempotency key, finish an upload). The API maps every code to a tRPC code in one
 * place (packages/api/src/errors.ts) and hands the code itself to the client as
 * `error.data.reason`. docs/errors.md lists them.
 * @public
 */
export const DOMAIN_ERROR_CODES = [
  // Generic.
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PRECONDITION_FAILED",
  "TOO_MANY_REQUESTS",
  /** A dependency (database, S3, Redis, the model) is down: HTTP 503 with Retry-After. */
  "SERVICE_UNAVAILABLE",
  // Specific: a client reacts to these.
  /** The cursor is not one this server issued (or no longer parses): load the first page again. */
  "INVALID_CURSOR",
  /** The idempotency key was already spent on another message (or on one since removed): send with a new key. */
  "IDEMPOTENCY_KEY_REUSED",
  /** The media key's bytes are not uploaded (or not confirmed with media.completeUpload) yet. */
  "UPLOAD_NOT_FINISHED",
  /** I may see the companion but have not connected to it: companions.connect first (HTTP 404, as for one I may not see). */
  "NOT_CONNECTED",
  /** A daily quota is spent (story drafts: STORY_DRAFT_DAILY_QUOTA; companions: COMPANION_DAILY_QUOTA); try again after `data.retryAfterMs` (HTTP 429). */
  "QUOTA_EXCEEDED",
  /** The safety check refused the message (sexual content involving minors, or a category SAFETY_POLICY refuses): the message is not stored (HTTP 403, docs/safety.md). */
  "SAFETY_REFUSED",
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    if (details !== undefined) this.details = details;
    this.name = "DomainError";
  }
}
