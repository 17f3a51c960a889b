"use client";
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { useModal } from "@/components/confirm-dialog";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";
import { useEndSession } from "./use-end-session";

/**
 * auth.deleteAccount({ password }) behind a confirmation dialog asking for the password again
 * (a wrong one: FORBIDDEN with a field error). Then the session is cleared and we go to /sign-up.
 */
export function DeleteAccount() {
  const trpc = useTRPC();
  const endSession = useEndSession();
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useModal(dialog, open);
  const remove = useMutation(trpc.auth.deleteAccount.mutationOptions({ onSuccess: () => endSession("/sign-up") }));
  const errors = fieldErrorsOf(remove.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    remove.mutate({ password: formText(new FormData(event.currentTarget), "password") });
  };

  return (
    <section className="card stack-sm danger-zone" aria-labelledby="delete-account">
      <h2 id="delete-account">Delete my account</h2>
      <p className="muted">Everything of yours is deleted: messages, memories, stories, companions you made. This cannot be undone.</p>
      <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
        Delete my account…
      </button>
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          setOpen(false);
        }}
      >
        <form className="stack" onSubmit={onSubmit} noValidate>
          <h2 id={titleId}>Delete your account for good?</h2>
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required errors={errors.password} />
          {hasFieldErrors(errors) ? null : <ErrorMessage error={remove.error} />}
          <div className="actions">
            <button type="submit" className="button button--danger" disabled={remove.isPending}>
              Delete my account permanently
            </button>
            <button type="button" className="button button--secondary" onClick={() => setOpen(false)}>
              Keep my account
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}
