"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import type { FormEvent } from "react";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

/** auth.resetPassword with the mailed ?token=…; every session ends, so the person signs in afresh. */
export function ResetPasswordForm() {
  const trpc = useTRPC();
  const token = useSearchParams().get("token") ?? "";
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const errors = fieldErrorsOf(reset.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    reset.mutate({ token, password: formText(new FormData(event.currentTarget), "password") });
  };

  if (!token) {
    return (
      <p role="alert" className="error">
        This link has no reset token. <Link href="/forgot-password">Ask for a new link</Link>.
      </p>
    );
  }
  if (reset.isSuccess) {
    return (
      <p role="status">
        Your password is changed and every session was signed out. <Link href="/sign-in">Sign in</Link>
      </p>
    );
  }
  return (
    <form className="stack form" onSubmit={onSubmit} noValidate>
      {hasFieldErrors(errors) ? null : <ErrorMessage error={reset.error} />}
      {errors.token ? (
        <p role="alert" className="error">
          This link is invalid, used or expired. <Link href="/forgot-password">Ask for a new link</Link>.
        </p>
      ) : null}
      <Field label="New password" name="password" type="password" autoComplete="new-password" required minLength={8} errors={errors.password} />
      <button type="submit" className="button" disabled={reset.isPending}>
        Set my new password
      </button>
    </form>
  );
}
