"use client";
import type { RouterOutputs } from "@companion/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Avatar } from "@/components/companions/avatar";
import { Field } from "@/components/field";
import { mediaUrl } from "@/lib/api-url";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useClient, useTRPC } from "@/lib/trpc";
import { uploadImage } from "@/lib/upload";

type Profile = RouterOutputs["auth"]["me"];

const text = (data: FormData, name: string) => formText(data, name).trim();

/**
 * Display name, avatar, time zone, quiet hours and language (auth.updateProfile). A chosen
 * avatar file is uploaded first (media.createUpload → PUT → completeUpload), then its key saved.
 */
export function ProfileForm({ profile }: { profile: Profile }) {
  const trpc = useTRPC();
  const client = useClient();
  const queryClient = useQueryClient();
  const [quiet, setQuiet] = useState(profile.quietHours !== null);
  const [saved, setSaved] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const save = useMutation({
    mutationFn: async (data: FormData) => {
      const file = data.get("avatar");
      const avatarKey = file instanceof File && file.size > 0 ? await uploadImage(client, file) : undefined;
      return client.auth.updateProfile.mutate({
        displayName: text(data, "displayName"),
        timeZone: text(data, "timeZone"),
        language: text(data, "language"),
        quietHours: quiet ? { start: text(data, "quietStart"), end: text(data, "quietEnd") } : null,
        ...(avatarKey ? { avatarKey } : {}),
      });
    },
    onSuccess: async (updated) => {
      queryClient.setQueryData(trpc.auth.me.queryKey(), updated);
      await queryClient.invalidateQueries({ queryKey: trpc.settings.pathKey() });
      // The file is up and saved: clear the picker so a second save does not upload it again.
      const picker = form.current?.elements.namedItem("avatar");
      if (picker instanceof HTMLInputElement) picker.value = "";
      setSaved(true);
    },
    onMutate: () => setSaved(false),
  });
  const removeAvatar = useMutation(
    trpc.auth.updateProfile.mutationOptions({ onSuccess: (updated) => queryClient.setQueryData(trpc.auth.me.queryKey(), updated) }),
  );
  const errors = fieldErrorsOf(save.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(new FormData(event.currentTarget));
  };

  return (
    <form ref={form} className="card stack-sm" onSubmit={onSubmit} aria-labelledby="profile" noValidate>
      <h2 id="profile">Profile</h2>
      <div className="profile__header">
        {profile.avatarUrl ? (
          // Named (not decorative like a companion's): the test and a screen reader confirm the upload took.
          <img className="avatar" src={mediaUrl(profile.avatarUrl) ?? ""} alt="Your avatar" width={72} height={72} />
        ) : (
          <Avatar url={null} name={profile.displayName} size={72} />
        )}
        <div className="stack-sm">
          <strong>{profile.displayName}</strong>
          <span className="muted">{profile.email}</span>
        </div>
      </div>
      <Field label="Display name" name="displayName" defaultValue={profile.displayName} required maxLength={80} errors={errors.displayName} />
      <Field label="Avatar image" name="avatar" type="file" accept="image/png,image/jpeg,image/webp,image/gif" errors={errors.avatarKey} />
      {profile.avatarUrl ? (
        <button type="button" className="link-button" disabled={removeAvatar.isPending} onClick={() => removeAvatar.mutate({ avatarKey: null })}>
          Remove my avatar
        </button>
      ) : null}
      <Field label="Time zone" name="timeZone" defaultValue={profile.timeZone} placeholder="Europe/Lisbon" errors={errors.timeZone} />
      <Field label="Language" name="language" defaultValue={profile.language} placeholder="en" errors={errors.language} />
      <fieldset className="stack-sm">
        <legend>Quiet hours (no companion writes first)</legend>
        <label className="checkbox">
          <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} /> Use quiet hours
        </label>
        {quiet ? (
          <div className="actions">
            <Field label="From" name="quietStart" type="time" defaultValue={profile.quietHours?.start ?? "22:00"} errors={errors.quietHours} />
            <Field label="To" name="quietEnd" type="time" defaultValue={profile.quietHours?.end ?? "08:00"} />
          </div>
        ) : null}
      </fieldset>
      <button type="submit" className="button" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save profile"}
      </button>
      <p role="status" className="muted">
        {saved ? "Profile saved." : ""}
      </p>
      {hasFieldErrors(errors) ? null : <ErrorMessage error={save.error ?? removeAvatar.error} />}
    </form>
  );
}
