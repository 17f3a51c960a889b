"use client";
import type { RouterInputs } from "@companion/client";
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { useModal } from "@/components/confirm-dialog";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

type ReportInput = RouterInputs["moderation"]["report"];
type Reason = ReportInput["reason"];

/** The reasons of the validators' report schema (packages/validators/src/moderation.ts), in words. */
const REASONS: Record<Reason, string> = {
  spam: "Spam",
  harassment: "Harassment or bullying",
  hate: "Hate",
  sexual: "Sexual content",
  minor_safety: "Endangers a minor",
  self_harm: "Self-harm or suicide",
  violence: "Violence or threats",
  impersonation: "Impersonation",
  other: "Something else",
};

export interface ReportTarget {
  kind: ReportInput["target"];
  id: string;
}

/**
 * A "Report" button and its modal form (moderation.report): a reason, an optional note. Drop it
 * anywhere: `<ReportButton target={{ kind: "story", id }} label="Report Mia's story" />`. The
 * native <dialog> traps focus, Escape closes it, and focus returns to the button.
 */
export function ReportButton({ target, label, className }: { target: ReportTarget; label: string; className?: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useModal(dialog, open);
  const report = useMutation(trpc.moderation.report.mutationOptions());
  const errors = fieldErrorsOf(report.error);

  const close = () => {
    setOpen(false);
    report.reset();
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const note = formText(data, "note").trim();
    report.mutate({ target: target.kind, id: target.id, reason: formText(data, "reason") as Reason, ...(note ? { note } : {}) });
  };

  return (
    <>
      <button type="button" className={className ?? "button button--secondary"} onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          close();
        }}
      >
        {report.isSuccess ? (
          <div className="stack">
            <h2 id={titleId}>Thank you</h2>
            <p role="status">Your report was sent. Our moderators will look at it.</p>
            <button type="button" className="button" onClick={close}>
              Close
            </button>
          </div>
        ) : (
          <form className="stack" onSubmit={onSubmit}>
            <h2 id={titleId}>{label}</h2>
            <fieldset className="stack-sm">
              <legend>Why are you reporting this?</legend>
              {(Object.keys(REASONS) as Reason[]).map((reason, i) => (
                <label key={reason} className="checkbox">
                  <input type="radio" name="reason" value={reason} required defaultChecked={i === 0} /> {REASONS[reason]}
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor={`${titleId}-note`}>Anything we should know? (optional)</label>
              <textarea id={`${titleId}-note`} name="note" rows={3} maxLength={1000} />
              {errors.note ? <p className="field-error">{errors.note.join(" ")}</p> : null}
            </div>
            <ErrorMessage error={errors.note ? null : report.error} />
            <div className="actions">
              <button type="submit" className="button" disabled={report.isPending}>
                Send report
              </button>
              <button type="button" className="button button--secondary" onClick={close}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}
