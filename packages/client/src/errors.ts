import { TRPCClientError } from "@trpc/client";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import type { AppRouter } from "./router.ts";
import type { ErrorData } from "./types.ts";

export type ApiError = TRPCClientError<AppRouter>;

/**
 * The code of a failed call: one of tRPC's (`BAD_REQUEST`, `NOT_FOUND`, ...; the server's, or the
 * client's reading of an answer that was not tRPC's, docs/errors.md "Transport errors"), or
 * `NETWORK_ERROR` when no answer came at all (server down, DNS, offline, a browser's CORS refusal).
 */
export type ClientErrorCode = TRPC_ERROR_CODE_KEY | "NETWORK_ERROR";

/**
 * What happened, as the server named it: a generic kind (`NOT_FOUND`, ...) or a situation
 * to react to (`INVALID_CURSOR`: load the first page again; `IDEMPOTENCY_KEY_REUSED`: send
 * with a new key; `UPLOAD_NOT_FINISHED`: upload the bytes first). docs/errors.md lists them.
 */
export type ErrorReason = NonNullable<ErrorData["reason"]>;

export function isTRPCClientError(err: unknown): err is ApiError {
  return err instanceof TRPCClientError;
}

/** The code of a failed call (`BAD_REQUEST`, `NOT_FOUND`, `NETWORK_ERROR`, ...), or null for an error that is not the API's. */
export function errorCode(err: unknown): ClientErrorCode | null {
  if (!isTRPCClientError(err)) return null;
  // The transport errors below carry NETWORK_ERROR in the same field as the server's codes.
  return (err.data?.code as ClientErrorCode | undefined) ?? null;
}

/** The server's reason for a failed call (`error.data.reason`), or null: not an API error, or one without a reason (bad input, an internal error). */
export function errorReason(err: unknown): ErrorReason | null {
  return isTRPCClientError(err) ? (err.data?.reason ?? null) : null;
}

/** JSON-RPC's "invalid request", the number tRPC sends with PAYLOAD_TOO_LARGE. */
const INVALID_REQUEST = -32600;
/** JSON-RPC's "internal error": what the client reports for an answer it could not read. */
const INTERNAL_ERROR = -32603;

const TOO_LARGE: Record<number, string> = {
  413: "The request body is too large for the server (HTTP 413)",
  431: "The request's URL or headers are too large for the server (HTTP 431)",
};

/** The code for an HTTP status that came without a tRPC body (a proxy, a CDN, a load balancer). */
function codeForStatus(status: number): TRPC_ERROR_CODE_KEY {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_SUPPORTED";
    case 408:
      return "TIMEOUT";
    case 429:
      return "TOO_MANY_REQUESTS";
    case 503:
      return "SERVICE_UNAVAILABLE";
    case 504:
      return "GATEWAY_TIMEOUT";
    default:
      // A 502, any other 5xx, and an answer with a success status that is not tRPC's (a captive
      // portal's HTML page): something between the app and the server answered instead of it.
      return status >= 400 && status < 500 ? "BAD_REQUEST" : status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_GATEWAY";
  }
}

function transportError(message: string, code: ClientErrorCode, httpStatus: number, cause?: unknown): TRPCClientError<AppRouter> {
  const jsonRpcCode = code === "PAYLOAD_TOO_LARGE" ? INVALID_REQUEST : INTERNAL_ERROR;
  const error = new TRPCClientError<AppRouter>(message, {
    result: { error: { code: jsonRpcCode, message, data: { code, httpStatus, path: undefined, zodError: null, reason: null, retryAfterMs: null } } },
  } as never);
  if (cause !== undefined) Object.defineProperty(error, "cause", { value: cause });
  return error;
}

/** tRPC answers JSON: an error object, or (a batch) an array of results and errors. */
function isTRPCBody(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    const first: unknown = Array.isArray(body) ? body[0] : body;
    return typeof first === "object" && first !== null && ("error" in first || "result" in first);
  } catch {
    return false;
  }
}

const isAbort = (err: unknown, init: RequestInit | undefined) => init?.signal?.aborted === true || (err instanceof Error && err.name === "AbortError");

/**
 * A fetch whose failures reach the app as a TRPCClientError with a code (`errorCode(err)`), never
 * as tRPC's "Unknown error" or a bare TypeError:
 *  - no answer (server down, offline, CORS refused in a browser): NETWORK_ERROR;
 *  - 413 or 431 (Node's HTTP parser answers 431 itself, without a tRPC body): PAYLOAD_TOO_LARGE;
 *  - any other error status whose body is not tRPC's (a proxy's bare 403, an HTML 502): the
 *    status's code (codeForStatus), with the status in `data.httpStatus`.
 * tRPC's own answers pass through untouched; a call the app aborted stays an abort.
 */
export function withTypedTransportErrors(fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (err) {
      if (isAbort(err, init)) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw transportError(`The server could not be reached (${reason})`, "NETWORK_ERROR", 0, err);
    }
    const tooLarge = TOO_LARGE[response.status];
    if (tooLarge !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      throw transportError(tooLarge, "PAYLOAD_TOO_LARGE", response.status);
    }
    const type = response.headers.get("content-type") ?? "";
    // A success with JSON is tRPC's (a streamed batch included); an error is read before tRPC does.
    if (response.ok && type.includes("json")) return response;
    if (!response.ok && type.includes("json") && isTRPCBody(await response.clone().text())) return response;
    await response.body?.cancel().catch(() => undefined);
    const code = codeForStatus(response.status);
    throw transportError(`The server's address answered HTTP ${response.status} without an API response (${type || "no content type"})`, code, response.status);
  };
}
