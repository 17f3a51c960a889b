"use client";
import type { RouterInputs, RouterOutputs } from "@companion/client";
import { useId, useState, type FormEvent } from "react";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf } from "@/lib/api-errors";
import { Avatar } from "./avatar";
import { TextAreaField } from "./text-area-field";
import { AVATAR_ACCEPT, useUploadAvatar } from "./upload-avatar";

type OwnCompanion = RouterOutputs["companions"]["mine"]["items"][number];
export type CompanionDefinition = Omit<RouterInputs["companions"]["create"], "avatarKey"> & { avatarKey?: string | null };

/** Comma- or newline-separated text to a list, without blanks. */
const list = (value: string) =>
  value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Create or edit my own companion (docs/companions.md): the public profile, the private persona
 * (only I read it back), an avatar uploaded through media.createUpload. The server's field errors
 * show under their inputs; `onSave` is companions.create or companions.update.
 */
export function CompanionForm({ initial, submitLabel, onSave }: { initial?: OwnCompanion; submitLabel: string; onSave: (definition: CompanionDefinition) => Promise<unknown> }) {
  const uploadAvatar = useUploadAvatar();
  const avatarId = useId();
  const visibilityId = useId();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [avatar, setAvatar] = useState<{ file: File; preview: string } | null>(null);
  const fieldErrors = fieldErrorsOf(error);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => {
      const v = data.get(name);
      return typeof v === "string" ? v : "";
    };
    setPending(true);
    setError(null);
    try {
      const definition: CompanionDefinition = {
        name: value("name"),
        tagline: value("tagline"),
        bio: value("bio"),
        traits: list(value("traits")),
        visibility: value("visibility") as CompanionDefinition["visibility"],
        greeting: value("greeting"),
        personality: value("personality"),
        backstory: value("backstory"),
        speakingStyle: value("speakingStyle"),
        scenario: value("scenario"),
        systemPrompt: value("systemPrompt"),
        catchphrases: list(value("catchphrases")),
        neverSay: list(value("neverSay")),
      };
      if (avatar) definition.avatarKey = await uploadAvatar(avatar.file);
      await onSave(definition);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  const hasFieldErrors = Object.values(fieldErrors).some((e) => e && e.length > 0);
  return (
    <form className="stack form" onSubmit={(e) => void onSubmit(e)} noValidate>
      {error && !hasFieldErrors ? <ErrorMessage error={error} /> : null}
      {hasFieldErrors ? (
        <p role="alert" className="error">
          Some fields need a fix.
        </p>
      ) : null}
      <fieldset className="stack">
        <legend>Profile (anyone who may see it)</legend>
        <Field label="Name" name="name" required maxLength={80} defaultValue={initial?.name} errors={fieldErrors.name} />
        <Field label="Tagline" name="tagline" defaultValue={initial?.tagline ?? ""} errors={fieldErrors.tagline} />
        <TextAreaField label="Bio" name="bio" defaultValue={initial?.bio ?? ""} errors={fieldErrors.bio} />
        <Field label="Traits (comma-separated)" name="traits" defaultValue={initial?.traits.join(", ") ?? ""} errors={fieldErrors.traits} />
        <div className="field">
          <label htmlFor={avatarId}>Avatar image</label>
          <div className="actions">
            {avatar ? <img className="avatar" src={avatar.preview} alt="" width={64} height={64} /> : initial ? <Avatar url={initial.avatarUrl} name={initial.name} size={64} /> : null}
            <input
              id={avatarId}
              type="file"
              accept={AVATAR_ACCEPT}
              aria-describedby={fieldErrors.avatarKey ? `${avatarId}-error` : undefined}
              onChange={(e) => {
                const file = e.target.files?.[0];
                setAvatar(file ? { file, preview: URL.createObjectURL(file) } : null);
              }}
            />
          </div>
          {fieldErrors.avatarKey ? (
            <p id={`${avatarId}-error`} className="field-error">
              {fieldErrors.avatarKey.join(" ")}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={visibilityId}>Who can see it</label>
          <select id={visibilityId} name="visibility" defaultValue={initial?.visibility ?? "private"}>
            <option value="private">Only me</option>
            <option value="unlisted">Anyone with the link</option>
            <option value="public">Everyone</option>
          </select>
        </div>
        <TextAreaField label="Greeting" name="greeting" hint="The first message of a new conversation; {{user}} is the person's name." defaultValue={initial?.greeting ?? ""} errors={fieldErrors.greeting} />
      </fieldset>
      <fieldset className="stack">
        <legend>Persona (private: only you read it back)</legend>
        <TextAreaField label="Personality" name="personality" defaultValue={initial?.personality ?? ""} errors={fieldErrors.personality} />
        <TextAreaField label="Backstory" name="backstory" defaultValue={initial?.backstory ?? ""} errors={fieldErrors.backstory} />
        <TextAreaField label="Speaking style" name="speakingStyle" defaultValue={initial?.speakingStyle ?? ""} errors={fieldErrors.speakingStyle} />
        <TextAreaField label="Scenario" name="scenario" defaultValue={initial?.scenario ?? ""} errors={fieldErrors.scenario} />
        <TextAreaField label="System prompt" name="systemPrompt" defaultValue={initial?.systemPrompt ?? ""} errors={fieldErrors.systemPrompt} />
        <TextAreaField label="Catchphrases (one per line)" name="catchphrases" defaultValue={initial?.catchphrases.join("\n") ?? ""} errors={fieldErrors.catchphrases} />
        <TextAreaField label="Never say (one per line)" name="neverSay" defaultValue={initial?.neverSay.join("\n") ?? ""} errors={fieldErrors.neverSay} />
      </fieldset>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : submitLabel}
      </button>
    </form>
  );
}
