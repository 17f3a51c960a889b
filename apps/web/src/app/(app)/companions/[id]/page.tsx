"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { Avatar } from "@/components/companions/avatar";
import { useConnect } from "@/components/companions/use-connect";
import { ReportButton } from "@/components/moderation/report-dialog";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** A companion's profile: avatar, public persona (tagline, bio, traits), connect or open chat; Edit when it is mine. */
export default function CompanionProfilePage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const companion = useQuery(trpc.companions.byId.queryOptions({ companionId: id }));
  const connect = useConnect();

  if (companion.isPending) return <p role="status">Loading…</p>;
  if (companion.isError) return <ErrorMessage error={companion.error} />;
  const c = companion.data;

  return (
    <article className="stack profile">
      <p>
        <Link href="/companions">← All companions</Link>
      </p>
      <header className="profile__header">
        <Avatar url={c.avatarUrl} name={c.name} size={120} />
        <div className="stack-sm">
          <h1>{c.name}</h1>
          {c.tagline ? <p className="lead">{c.tagline}</p> : null}
        </div>
      </header>
      {c.bio ? (
        <section aria-labelledby="about">
          <h2 id="about">About</h2>
          <p className="prewrap">{c.bio}</p>
        </section>
      ) : null}
      {c.traits.length > 0 ? (
        <section aria-labelledby="traits">
          <h2 id="traits">Traits</h2>
          <ul className="tags">
            {c.traits.map((trait) => (
              <li key={trait}>{trait}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="actions">
        {c.relationship ? (
          <>
            <Link className="button" href={`/chats/${c.id}`}>
              Open chat
            </Link>
            <p className="muted">Mood: {c.relationship.mood}</p>
          </>
        ) : (
          <button type="button" className="button" disabled={connect.isPending} onClick={() => connect.mutate({ companionId: c.id })}>
            {connect.isPending ? "Connecting…" : `Connect with ${c.name}`}
          </button>
        )}
      </div>
      <ErrorMessage error={connect.error} />
      {c.ownedByMe ? (
        <p>
          <Link className="button button--secondary" href={`/companions/${c.id}/edit`}>
            Edit {c.name}
          </Link>
        </p>
      ) : (
        <div>
          <ReportButton target={{ kind: "companion", id: c.id }} label={`Report ${c.name}`} className="link-button" />
        </div>
      )}
    </article>
  );
}
