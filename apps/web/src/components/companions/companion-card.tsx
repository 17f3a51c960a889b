"use client";
import type { RouterOutputs } from "@companion/client";
import Link from "next/link";
import { ErrorMessage } from "@/components/query-state";
import { Avatar } from "./avatar";
import { useConnect } from "./use-connect";

type Companion = RouterOutputs["companions"]["list"]["items"][number];

/** One companion in the list: avatar, name (links to the profile), tagline, and connect / open chat. */
export function CompanionCard({ companion }: { companion: Companion }) {
  const connect = useConnect();
  return (
    <article className="card companion-card" aria-labelledby={`companion-${companion.id}`}>
      <Avatar url={companion.avatarUrl} name={companion.name} />
      <div className="stack-sm">
        <h2 id={`companion-${companion.id}`} className="card__title">
          <Link href={`/companions/${companion.id}`}>{companion.name}</Link>
        </h2>
        {companion.tagline ? <p className="muted">{companion.tagline}</p> : null}
        {companion.relationship ? (
          <Link className="button button--secondary" href={`/chats/${companion.id}`}>
            Open chat
          </Link>
        ) : (
          <button
            type="button"
            className="button"
            disabled={connect.isPending}
            onClick={() => connect.mutate({ companionId: companion.id })}
            aria-label={`Connect with ${companion.name}`}
          >
            {connect.isPending ? "Connecting…" : "Connect"}
          </button>
        )}
        <ErrorMessage error={connect.error} />
      </div>
    </article>
  );
}
