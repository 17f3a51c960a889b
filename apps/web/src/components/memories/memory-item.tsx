"use client";
import type { RouterOutputs } from "@companion/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

type Memory = RouterOutputs["memories"]["list"]["items"][number];

/** One memory: pin/unpin, edit in place (title and content), delete after a confirmation. */
export function MemoryItem({ memory, companionName }: { memory: Memory; companionName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.memories.pathKey() });
  const update = useMutation(trpc.memories.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.memories.delete.mutationOptions({ onSuccess: invalidate }));
  const name = memory.title || memory.content.slice(0, 40);
  const fieldErrors = fieldErrorsOf(update.error);

  const onSave = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    update.mutate(
      { memoryId: memory.id, title: formText(data, "title"), content: formText(data, "content") },
      { onSuccess: () => setEditing(false) },
    );
  };

  return (
    <li className="card stack-sm memory">
      {editing ? (
        <form className="stack-sm" onSubmit={onSave}>
          <div className="field">
            <label htmlFor={`title-${memory.id}`}>Title</label>
            <input id={`title-${memory.id}`} name="title" defaultValue={memory.title} maxLength={120} />
          </div>
          <div className="field">
            <label htmlFor={`content-${memory.id}`}>Content</label>
            <textarea
              id={`content-${memory.id}`}
              name="content"
              defaultValue={memory.content}
              required
              maxLength={4000}
              rows={3}
              aria-invalid={fieldErrors.content ? true : undefined}
            />
            {fieldErrors.content ? <p className="field-error">{fieldErrors.content.join(" ")}</p> : null}
          </div>
          <div className="actions">
            <button type="submit" className="button" disabled={update.isPending}>
              Save memory
            </button>
            <button type="button" className="button button--secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p className="memory__meta muted">
            {memory.pinned ? <strong className="pill">Pinned</strong> : null} With {companionName} ·{" "}
            {memory.source === "auto" ? "noticed by the companion" : "saved by me"} ·{" "}
            <time dateTime={memory.createdAt}>{new Date(memory.createdAt).toLocaleDateString()}</time>
          </p>
          {memory.title ? <h3 className="card__title">{memory.title}</h3> : null}
          <p className="prewrap">{memory.content}</p>
          <div className="actions">
            <button
              type="button"
              className="button button--secondary"
              disabled={update.isPending}
              onClick={() => update.mutate({ memoryId: memory.id, pinned: !memory.pinned })}
            >
              {memory.pinned ? `Unpin “${name}”` : `Pin “${name}”`}
            </button>
            <button type="button" className="button button--secondary" onClick={() => setEditing(true)}>
              Edit “{name}”
            </button>
            <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
              Delete “{name}”
            </button>
          </div>
        </>
      )}
      <ErrorMessage error={editing ? (fieldErrors.content ? null : update.error) : (update.error ?? remove.error)} />
      <ConfirmDialog
        open={confirming}
        title="Delete this memory?"
        confirmLabel="Delete memory"
        pending={remove.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => remove.mutate({ memoryId: memory.id }, { onSettled: () => setConfirming(false) })}
      >
        <p>“{name}” will be forgotten by {companionName}. This cannot be undone.</p>
      </ConfirmDialog>
    </li>
  );
}
