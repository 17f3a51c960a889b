"use client";
import type { RouterOutputs } from "@companion/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

type Settings = RouterOutputs["settings"]["get"];

/** What every companion knows about me, and whether companions may write first (settings.update). */
export function SettingsForm({ settings }: { settings: Settings }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onMutate: () => setSaved(false),
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.settings.get.queryKey(), next);
        setSaved(true);
      },
    }),
  );
  const errors = fieldErrorsOf(update.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    update.mutate({ aboutMe: formText(data, "aboutMe"), proactiveEnabled: data.get("proactive") === "on" });
  };

  return (
    <form className="card stack-sm" onSubmit={onSubmit} aria-labelledby="settings">
      <h2 id="settings">What companions know and do</h2>
      <div className="field">
        <label htmlFor="about-me">About me (every companion always knows this)</label>
        <textarea
          id="about-me"
          name="aboutMe"
          rows={4}
          maxLength={1000}
          defaultValue={settings.aboutMe}
          aria-invalid={errors.aboutMe ? true : undefined}
          aria-describedby={errors.aboutMe ? "about-me-error" : undefined}
        />
        {errors.aboutMe ? (
          <p id="about-me-error" className="field-error">
            {errors.aboutMe.join(" ")}
          </p>
        ) : null}
      </div>
      <label className="checkbox">
        <input type="checkbox" name="proactive" defaultChecked={settings.proactiveEnabled} /> Companions may write to me first
      </label>
      <button type="submit" className="button" disabled={update.isPending}>
        Save settings
      </button>
      <p role="status" className="muted">
        {saved ? "Settings saved." : ""}
      </p>
      {errors.aboutMe ? null : <ErrorMessage error={update.error} />}
    </form>
  );
}
