/**
 * The one place where failures become tRPC errors: a DomainError (or a driver error that means
 * something, like an unreachable database) gets its tRPC code from `CODE_MAP`, and `formatError`
 * adds `data.reason` and `data.zodError` and lets no stack trace out (docs/errors.md).
 */
import { domainErrorOfDriverError, isUserReferenceViolation, userExists, type Database } from "@companion/db";
import { DomainError, type DomainErrorCode } from "@companion/errors";
import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape as DefaultErrorShape } from "@trpc/server";
import { z } from "zod";

/** The one map from what happened (@companion/errors) to the tRPC code, hence the HTTP status (docs/errors.md). */
const CODE_MAP: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INVALID_CURSOR: "BAD_REQUEST",
  IDEMPOTENCY_KEY_REUSED: "CONFLICT",
  UPLOAD_NOT_FINISHED: "PRECONDITION_FAILED",
  NOT_CONNECTED: "NOT_FOUND",
  QUOTA_EXCEEDED: "TOO_MANY_REQUESTS",
  SAFETY_REFUSED: "FORBIDDEN",
};

/** The TRPCError for a failure, or null to leave it as it is. */
function toTRPCError(err: unknown): TRPCError | null {
  const domain = domainErrorOf(err);
  return domain ? new TRPCError({ code: CODE_MAP[domain.code], message: domain.message, cause: domain }) : null;
}

function domainErrorOf(err: unknown): DomainError | null {
  if (err instanceof TRPCError) {
    // tRPC wraps anything thrown as INTERNAL_SERVER_ERROR; a deliberate TRPCError stays.
    const wrapped = err.cause instanceof DomainError || err.code === "INTERNAL_SERVER_ERROR";
    return wrapped && err.cause ? domainErrorOf(err.cause) : null;
  }
  return err instanceof DomainError ? err : domainErrorOfDriverError(err);
}

/**
 * `toTRPCError` for a call's failure, which also knows the caller: a write referencing a user
 * that does not exist, made with a token whose own account is gone (deleted while the
 * token still verifies), is UNAUTHORIZED. Only that failure costs a lookup.
 */
export async function toTRPCErrorFor(err: unknown, caller: { db: Database; userId: string | undefined }): Promise<TRPCError | null> {
  const mapped = toTRPCError(err);
  if (mapped || !caller.userId || !isUserReferenceViolation(err)) return mapped;
  if (await userExists(caller.db, caller.userId).catch(() => true)) return null;
  return new TRPCError({ code: "UNAUTHORIZED", message: "This account no longer exists", cause: new DomainError("UNAUTHORIZED", "This account no longer exists", undefined, { cause: err }) });
}

/**
 * A subscription's events, with an error thrown after the stream started mapped like a call's
 * (a database gone mid-stream is SERVICE_UNAVAILABLE). `yield*` passes the client's close through.
 */
export async function* mapStreamErrors<T>(source: AsyncIterable<T>, caller: { db: Database; userId: string | undefined }): AsyncGenerator<T, unknown> {
  try {
    return yield* source as AsyncGenerator<T, unknown>;
  } catch (err) {
    throw (await toTRPCErrorFor(err, caller)) ?? err;
  }
}

interface ErrorData {
  zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  /** What happened, when the application said so (a DomainError's code); null otherwise. */
  reason: DomainErrorCode | null;
  retryAfterMs: number | null;
}

export type ErrorShape = Omit<DefaultErrorShape, "data"> & { data: Omit<DefaultErrorShape["data"], "stack"> & ErrorData };

export function formatError({ shape, error }: { shape: DefaultErrorShape; error: TRPCError }): ErrorShape {
  const domain = error.cause instanceof DomainError ? error.cause : null;
  // A DomainError that names its field (`details.field`) reads like bad input: the field's error in the same place.
  const field = domain?.details?.field;
  const zodError =
    error.cause instanceof z.ZodError
      ? z.flattenError(error.cause)
      : domain && typeof field === "string"
        ? { formErrors: [], fieldErrors: { [field]: [domain.message] } }
        : null;
  const retryAfter = domain?.details?.retryAfterMs;
  const internal = error.code === "INTERNAL_SERVER_ERROR";
  // `stack` is dropped on purpose: no trace leaves the server, in any environment.
  const { stack: _stack, ...data } = shape.data;
  return {
    ...shape,
    message: internal ? "Internal server error" : error.cause instanceof z.ZodError ? "Invalid input" : shape.message,
    data: {
      ...data,
      zodError: zodError ? { formErrors: zodError.formErrors, fieldErrors: zodError.fieldErrors } : null,
      reason: domain?.code ?? null,
      retryAfterMs: typeof retryAfter === "number" ? retryAfter : null,
    },
  };
}
