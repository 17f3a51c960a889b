import type { APIError } from "openai";
import { loadedOpenAI } from "./openai-sdk.ts";

export type ProviderErrorKind =
  | "timeout"
  | "rate_limited"
  | "server_error"
  | "bad_request"
  | "aborted"
  | "circuit_open"
  | "error";

/**
 * The one error type providers and the chain throw. `kind` is what gets recorded and what
 * the breaker reacts to; `retryable` says whether trying the same provider again can help.
 */
export class ProviderError extends Error {
  /** From a 429's `retry-after`, so the chain can skip a retry that would outlast its budget. */
  readonly retryAfterMs: number | undefined;

  readonly kind: ProviderErrorKind;
  readonly retryable: boolean;
  readonly provider?: string;
  constructor(kind: ProviderErrorKind, message: string, retryable: boolean, provider?: string, options?: ErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.kind = kind;
    this.retryable = retryable;
    if (provider !== undefined) this.provider = provider;
    this.name = "ProviderError";
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Why an attempt's own abort controller fired, which the SDK cannot tell us. */
export interface AbortCause {
  timedOut: boolean;
  callerAborted: boolean;
}

function retryAfterMs(err: APIError): number | undefined {
  const header = err.headers?.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

/**
 * Maps anything thrown by an attempt to a ProviderError. Our own abort reasons win over the
 * SDK's classes, because a timeout we fired surfaces from the SDK as a plain user abort.
 */
export function classifyError(err: unknown, provider: string, cause: AbortCause): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const make = (kind: ProviderErrorKind, retryable: boolean, extra?: { retryAfterMs?: number }) =>
    new ProviderError(kind, `${provider}: ${message}`, retryable, provider, { cause: err, ...extra });

  if (cause.timedOut) return make("timeout", true);
  if (cause.callerAborted) return make("aborted", false);
  // The SDK's classes, when a client loaded it (an error of its own cannot exist otherwise).
  const sdk = loadedOpenAI();
  if (sdk === undefined) return make("error", false);
  const {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
  } = sdk;
  if (err instanceof APIConnectionTimeoutError) return make("timeout", true);
  if (err instanceof APIUserAbortError) return make("aborted", false);
  if (err instanceof RateLimitError) return make("rate_limited", true, { retryAfterMs: retryAfterMs(err) });
  if (err instanceof InternalServerError) return make("server_error", true);
  if (
    err instanceof BadRequestError ||
    err instanceof UnprocessableEntityError ||
    err instanceof NotFoundError ||
    err instanceof ConflictError
  ) {
    return make("bad_request", false);
  }
  // A wrong key or a forbidden model fails every call the same way: not retryable, but it
  // counts against the breaker so we stop paying its latency.
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) return make("error", false);
  // Refused or reset connections are usually transient.
  if (err instanceof APIConnectionError) return make("error", true);
  if (err instanceof APIError && typeof err.status === "number" && err.status >= 500) return make("server_error", true);
  return make("error", false);
}

export const isProviderError = (err: unknown): err is ProviderError => err instanceof ProviderError;
