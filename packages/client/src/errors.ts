import { TRPCClientError } from "@trpc/client";
import type { AppRouter, ErrorData } from "@companion/api";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

export type ApiError = TRPCClientError<AppRouter>;

/**
 * What happened, as the server named it: a generic kind (`NOT_FOUND`, ...) or a situation
 * to react to (`INVALID_CURSOR`: load the first page again; `IDEMPOTENCY_KEY_REUSED`: send
 * with a new key; `UPLOAD_NOT_FINISHED`: upload the bytes first). docs/errors.md lists them.
 */
export type ErrorReason = NonNullable<ErrorData["reason"]>;

export function isTRPCClientError(err: unknown): err is ApiError {
  return err instanceof TRPCClientError;
}

/** The tRPC code of a failed call (`BAD_REQUEST`, `NOT_FOUND`, ...; it sets the HTTP status), or null for any other error. */
export function errorCode(err: unknown): TRPC_ERROR_CODE_KEY | null {
  return isTRPCClientError(err) ? (err.data?.code ?? null) : null;
}

/** The server's reason for a failed call (`error.data.reason`), or null: not an API error, or one without a reason (bad input, an internal error). */
export function errorReason(err: unknown): ErrorReason | null {
  return isTRPCClientError(err) ? (err.data?.reason ?? null) : null;
}
