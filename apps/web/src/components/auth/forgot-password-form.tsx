"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import type { FormEvent } from "react";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

/** auth.requestPasswordReset: the same answer whether or not the address has an account. */
export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const errors = fieldErrorsOf(request.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    request.mutate({ email: formText(new FormData(event.currentTarget), "email") });
  };

  if (request.isSuccess) {
    return (
      <p role="status">
        If an account uses that address, a link to choose a new password is on its way. It works for 30 minutes.{" "}
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    );
  }
  return (
    <form className="stack form" onSubmit={onSubmit} noValidate>
      {hasFieldErrors(errors) ? null : <ErrorMessage error={request.error} />}
      <Field label="Email" name="email" type="email" autoComplete="email" required errors={errors.email} />
      <button type="submit" className="button" disabled={request.isPending}>
        Send me a reset link
      </button>
      <p>
        Remembered it? <Link href="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
