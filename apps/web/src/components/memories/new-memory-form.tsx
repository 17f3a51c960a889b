"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, type FormEvent } from "react";
import { ErrorMessage } from "@/components/query-state";
import { fieldErrorsOf, hasFieldErrors } from "@/lib/field-errors";
import { formText } from "@/lib/form-data";
import { useTRPC } from "@/lib/trpc";

/** A memory typed by hand, with one of the companions I am connected to. */
export function NewMemoryForm({ companions, defaultCompanionId }: { companions: { id: string; name: string }[]; defaultCompanionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const create = useMutation(
    trpc.memories.create.mutationOptions({
      onSuccess: async () => {
        form.current?.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.memories.pathKey() });
      },
    }),
  );
  const errors = fieldErrorsOf(create.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const title = formText(data, "title").trim();
    create.mutate({ companionId: formText(data, "companionId"), content: formText(data, "content"), ...(title ? { title } : {}) });
  };

  return (
    <form ref={form} className="card stack-sm" onSubmit={onSubmit} aria-labelledby="new-memory">
      <h2 id="new-memory">Add a memory</h2>
      <div className="field">
        <label htmlFor="memory-companion">Companion</label>
        <select id="memory-companion" name="companionId" defaultValue={defaultCompanionId} key={defaultCompanionId}>
          {companions.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="memory-title">Title (optional)</label>
        <input id="memory-title" name="title" maxLength={120} />
      </div>
      <div className="field">
        <label htmlFor="memory-content">What should they remember?</label>
        <textarea
          id="memory-content"
          name="content"
          rows={3}
          maxLength={4000}
          required
          aria-invalid={errors.content ? true : undefined}
          aria-describedby={errors.content ? "memory-content-error" : undefined}
        />
        {errors.content ? (
          <p id="memory-content-error" className="field-error">
            {errors.content.join(" ")}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={create.isPending}>
        Add memory
      </button>
      {hasFieldErrors(errors) ? null : <ErrorMessage error={create.error} />}
    </form>
  );
}
