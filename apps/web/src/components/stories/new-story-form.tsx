"use client";
import { errorCode, isTRPCClientError } from "@companion/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Field } from "@/components/field";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { contentTypeOf, putBytes } from "./upload-media";

type Visibility = "public" | "friends" | "private";
type FieldErrors = Record<string, string[] | undefined>;

/** BAD_REQUEST's per-field messages (docs/errors.md), or none. */
const fieldErrorsOf = (err: unknown): FieldErrors =>
  isTRPCClientError(err) && errorCode(err) === "BAD_REQUEST" ? ((err.data as { zodError?: { fieldErrors?: FieldErrors } } | undefined)?.zodError?.fieldErrors ?? {}) : {};

/**
 * Posts my story from one picture or video chosen here: media.createUpload (the server checks
 * type and size), PUT the bytes, media.completeUpload, then stories.create with the key.
 */
export function NewStoryForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const fileId = useId();
  const visibilityId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [caption, setCaption] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("public");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const createUpload = useMutation(trpc.media.createUpload.mutationOptions());
  const completeUpload = useMutation(trpc.media.completeUpload.mutationOptions());
  const create = useMutation(trpc.stories.create.mutationOptions());

  // The preview is a local object URL; freed when the file changes or the form goes.
  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setError(null);
    try {
      setBusy("Uploading…");
      const upload = await createUpload.mutateAsync({ contentType: contentTypeOf(file), byteSize: file.size, fileName: file.name });
      await putBytes(upload, file);
      await completeUpload.mutateAsync({ mediaKey: upload.mediaKey });
      setBusy("Posting…");
      const trimmed = caption.trim();
      await create.mutateAsync({ mediaKeys: [upload.mediaKey], visibility, ...(trimmed ? { caption: trimmed } : {}) });
      await queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() });
      router.push("/stories");
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  };

  const fieldErrors = fieldErrorsOf(error);
  // createUpload names contentType and byteSize; both are about the file.
  const fileErrors = [...(fieldErrors.contentType ?? []), ...(fieldErrors.byteSize ?? []), ...(fieldErrors.mediaKeys ?? [])];
  const hasFieldErrors = fileErrors.length > 0 || (fieldErrors.caption?.length ?? 0) > 0;

  return (
    <form className="stack narrow" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="field">
        <label htmlFor={fileId}>Picture or video</label>
        <input
          id={fileId}
          type="file"
          accept="image/jpeg,image/png,image/webp,image/gif,video/mp4,video/webm"
          aria-invalid={fileErrors.length > 0 || undefined}
          aria-describedby={fileErrors.length > 0 ? `${fileId}-error` : undefined}
          onChange={(e) => {
            setError(null);
            setFile(e.target.files?.[0] ?? null);
          }}
        />
        {fileErrors.length > 0 ? (
          <p id={`${fileId}-error`} className="field-error">
            {fileErrors.join(" ")}
          </p>
        ) : null}
      </div>
      {preview && file ? (
        <figure className="story-preview">
          {file.type.startsWith("video/") ? <video src={preview} controls muted /> : <img src={preview} alt="Preview of the new story" />}
          <figcaption className="muted">
            {file.name}, {Math.ceil(file.size / 1024)} kB
          </figcaption>
        </figure>
      ) : null}
      <Field label="Caption (optional)" name="caption" value={caption} maxLength={500} onChange={(e) => setCaption(e.target.value)} errors={fieldErrors.caption} />
      <div className="field">
        <label htmlFor={visibilityId}>Who sees it</label>
        <select id={visibilityId} value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="public">Everyone who follows me</option>
          <option value="friends">Friends (we follow each other)</option>
          <option value="private">Only me</option>
        </select>
      </div>
      {error && !hasFieldErrors ? <ErrorMessage error={error} /> : null}
      <p role="status">{busy ?? ""}</p>
      <button type="submit" className="button" disabled={!file || busy !== null}>
        Post story
      </button>
    </form>
  );
}
