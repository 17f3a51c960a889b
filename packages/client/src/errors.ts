import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@companion/api";

export type ApiError = TRPCClientError<AppRouter>;

export function isTRPCClientError(err: unknown): err is ApiError {
  return err instanceof TRPCClientError;
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
