"use client";
import Link from "next/link";
import { use } from "react";
import { FollowButton } from "@/components/people/follow-button";
import { FollowList } from "@/components/people/follow-list";
import { usePerson } from "@/components/people/use-person";
import { ErrorMessage } from "@/components/query-state";
import { useSession } from "@/lib/session";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person, reached by their profile link: follow or unfollow them, their followers and whom they follow. */
export default function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const { user } = useSession();
  const person = usePerson(id);
  if (!UUID.test(id)) return <p role="alert" className="error">Not a profile link.</p>;
  const me = user?.id === id;
  // Without a profile call the name is known only through a follow between us.
  const name = me ? (user?.displayName ?? "You") : (person.name ?? "This person");

  return (
    <section className="stack">
      <h1>{name}</h1>
      {me ? (
        <p>
          This is your profile. Share its link (it is on <Link href="/stories">Stories</Link>) so friends can follow you.
        </p>
      ) : (
        <>
          {person.followsMe ? <p className="muted">Follows you.</p> : null}
          {person.isPending ? <p role="status">Loading…</p> : <FollowButton userId={id} following={person.followingThem} name={person.name ?? "this person"} />}
          <ErrorMessage error={person.error} />
          <p className="muted">Their public stories show in your Stories feed while you follow them.</p>
        </>
      )}
      <div className="grid">
        <FollowList userId={id} direction="followers" />
        <FollowList userId={id} direction="following" />
      </div>
    </section>
  );
}
