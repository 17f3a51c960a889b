"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { use } from "react";
import { Avatar } from "@/components/companions/avatar";
import { BlockButton } from "@/components/moderation/block-button";
import { ReportButton } from "@/components/moderation/report-dialog";
import { FollowButton } from "@/components/people/follow-button";
import { FollowList } from "@/components/people/follow-list";
import { MuteButton } from "@/components/people/mute-button";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A person, reached by their profile link (social.profile): name, avatar, follow counts; follow,
 * mute, block or report them; their followers and whom they follow. Someone who blocked me, a
 * disabled account and an unknown id all answer NOT_FOUND.
 */
export default function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const trpc = useTRPC();
  const valid = UUID.test(id);
  const profile = useQuery({ ...trpc.social.profile.queryOptions({ userId: id }), enabled: valid });
  if (!valid) return <p role="alert" className="error">Not a profile link.</p>;
  if (profile.isPending) return <p role="status">Loading…</p>;
  if (profile.error) return <ErrorMessage error={profile.error} />;
  const p = profile.data;

  return (
    <section className="stack">
      <div className="person-head">
        <Avatar url={p.avatarUrl} name={p.displayName} size={72} />
        <div className="stack-sm">
          <h1>{p.displayName}</h1>
          <p className="muted">
            {count(p.followerCount, "follower", "followers")} · {count(p.followingCount, "following", "following")}
            {p.followsMe ? " · Follows you" : ""}
          </p>
        </div>
      </div>
      {p.isMe ? (
        <p>
          This is your profile. Share its link (it is on <Link href="/stories">Stories</Link>) so friends can follow you.
        </p>
      ) : (
        <>
          {p.blockedByMe ? (
            <p className="muted">You blocked {p.displayName}: neither of you sees the other&apos;s stories.</p>
          ) : (
            <FollowButton userId={p.id} following={p.followedByMe} name={p.displayName} />
          )}
          <div className="actions">
            <MuteButton userId={p.id} muted={p.mutedByMe} name={p.displayName} />
            <BlockButton userId={p.id} name={p.displayName} blocked={p.blockedByMe} />
            <ReportButton target={{ kind: "user", id: p.id }} label={`Report ${p.displayName}`} />
          </div>
          <p className="muted">
            Their public stories show in your Stories feed while you follow them{p.mutedByMe ? ", unless you mute them (you do)" : ""}.
          </p>
        </>
      )}
      <div className="grid">
        <FollowList userId={p.id} direction="followers" />
        <FollowList userId={p.id} direction="following" />
      </div>
    </section>
  );
}
