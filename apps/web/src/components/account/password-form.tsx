"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

/** auth.changePassword: a wrong current password comes back as a field error on that input. */
export function PasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [done, setDone] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onMutate: () => setDone(false),
      onSuccess: async () => {
        setDone(true);
        // The security log has a new entry (password_changed).
        await queryClient.invalidateQueries({ queryKey: trpc.auth.securityEvents.pathKey() });
      },
    }),
  );
  const errors = fieldErrorsOf(change.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    change.mutate(
      { currentPassword: formText(data, "currentPassword"), newPassword: formText(data, "newPassword") },
      { onSuccess: () => form.reset() },
    );
  };

  return (
    <form className="card stack-sm" onSubmit={onSubmit} aria-labelledby="password" noValidate>
      <h2 id="password">Change password</h2>
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={errors.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required minLength={8} errors={errors.newPassword} />
      <button type="submit" className="button" disabled={change.isPending}>
        Change password
      </button>
      <p role="status" className="muted">
        {done ? "Password changed. Your other sessions were signed out." : ""}
      </p>
      {hasFieldErrors(errors) ? null : <ErrorMessage error={change.error} />}
    </form>
  );
}
