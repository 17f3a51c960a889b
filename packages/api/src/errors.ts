/**
 * The one place where application errors become tRPC errors.
 *  - `domainErrorMiddleware` turns a DomainError thrown by a query function or service
 *    into a TRPCError with the matching code (so createCaller and HTTP callers agree).
 *  - `errorFormatter` flattens Zod issues into `data.zodError`, adds `retryAfterMs`
 *    for rate limits, and never lets a stack trace or an internal message out.
 */
import { DomainError, type DomainErrorCode } from "@companion/db";
import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape as DefaultErrorShape } from "@trpc/server";
import { z } from "zod";

const CODE_MAP: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  BAD_REQUEST: "BAD_REQUEST",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

export function toTRPCError(err: unknown): TRPCError | null {
  if (err instanceof TRPCError) {
    return err.cause instanceof DomainError ? toTRPCError(err.cause) : null;
  }
  if (err instanceof DomainError) {
    return new TRPCError({ code: CODE_MAP[err.code], message: err.message, cause: err });
  }
  return null;
}

export interface ErrorData {
  zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
  retryAfterMs: number | null;
}

export type ErrorShape = Omit<DefaultErrorShape, "data"> & { data: Omit<DefaultErrorShape["data"], "stack"> & ErrorData };

export function formatError({ shape, error }: { shape: DefaultErrorShape; error: TRPCError }): ErrorShape {
  const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
  const domain = error.cause instanceof DomainError ? error.cause : null;
  const retryAfter = domain?.details?.retryAfterMs;
  const internal = error.code === "INTERNAL_SERVER_ERROR";
  // `stack` is dropped on purpose: no trace leaves the server, in any environment.
  const { stack: _stack, ...data } = shape.data;
  return {
    ...shape,
    message: internal ? "Internal server error" : zodError ? "Invalid input" : shape.message,
    data: {
      ...data,
      zodError: zodError ? { formErrors: zodError.formErrors, fieldErrors: zodError.fieldErrors } : null,
      retryAfterMs: typeof retryAfter === "number" ? retryAfter : null,
    },
  };
}
