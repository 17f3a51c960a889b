import { isTRPCClientError } from "@companion/client";

export type FieldErrors = Record<string, string[] | undefined>;

/**
 * The per-field messages of a failed call (docs/errors.md): a Zod input error and a domain
 * error naming a field (a wrong current password) both carry them in data.zodError.fieldErrors.
 */
export function fieldErrorsOf(err: unknown): FieldErrors {
  if (!isTRPCClientError(err)) return {};
  return err.data?.zodError?.fieldErrors ?? {};
}

/** True when the error is fully explained by its field errors (so no banner is needed above the form). */
export const hasFieldErrors = (errors: FieldErrors) => Object.values(errors).some((e) => e !== undefined && e.length > 0);
