import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@companion/api";

export type ApiError = TRPCClientError<AppRouter>;

export function isTRPCClientError(err: unknown): err is ApiError {
  return err instanceof TRPCClientError;
}
