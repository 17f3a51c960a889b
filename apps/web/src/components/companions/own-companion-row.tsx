"use client";
import type { RouterOutputs } from "@companion/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { Avatar } from "./avatar";
import { ExportCard } from "./export-card";

type OwnCompanion = RouterOutputs["companions"]["mine"]["items"][number];

const VISIBILITY = { private: "Only me", unlisted: "Anyone with the link", public: "Everyone" } as const;

/** One of my companions: open, chat, edit, export, delete (with a confirmation: it deletes every conversation with it). */
export function OwnCompanionRow({ companion }: { companion: OwnCompanion }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.companions.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.companions.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.messages.pathKey() });
      },
    }),
  );
  const onDelete = () => {
    if (window.confirm(`Delete ${companion.name}? Every conversation with it is deleted too.`)) remove.mutate({ companionId: companion.id });
  };

  return (
    <article className="card companion-card">
      <Avatar url={companion.avatarUrl} name={companion.name} size={64} />
      <div className="stack-sm">
        <h2 className="card__title">
          <Link href={`/companions/${companion.id}`}>{companion.name}</Link>
        </h2>
        {companion.tagline ? <p className="muted">{companion.tagline}</p> : null}
        <p className="muted small">Visible to: {VISIBILITY[companion.visibility]}</p>
        <div className="actions message__actions">
          <Link className="small" href={`/companions/${companion.id}/edit`} aria-label={`Edit ${companion.name}`}>
            Edit
          </Link>
          <ExportCard companionId={companion.id} name={companion.name} />
          <button type="button" className="link-button link-button--danger small" disabled={remove.isPending} onClick={onDelete}>
            Delete {companion.name}
          </button>
        </div>
        <ErrorMessage error={remove.error} />
      </div>
    </article>
  );
}
