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

/** JSON-RPC's "invalid request", the number tRPC sends with PAYLOAD_TOO_LARGE. */
const INVALID_REQUEST = -32600;

const TOO_LARGE: Record<number, string> = {
  413: "The request body is too large for the server (HTTP 413)",
  431: "The request's URL or headers are too large for the server (HTTP 431)",
};

/**
 * A fetch that turns a 413 or 431 into a typed error (`data.code` PAYLOAD_TOO_LARGE, and the
 * status in `data.httpStatus`): Node's HTTP parser answers 431 itself, without a tRPC body,
 * which a link would otherwise report as "Unknown error" with no code.
 */
export function withTypedTransportErrors(fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const message = TOO_LARGE[response.status];
    if (message === undefined) return response;
    await response.body?.cancel().catch(() => undefined);
    throw new TRPCClientError(message, {
      result: { error: { code: INVALID_REQUEST, message, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: response.status } } },
    });
  };
}
