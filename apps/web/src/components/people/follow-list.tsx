"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** A person's followers or the people they follow, latest first, a page at a time. */
export function FollowList({ userId, direction }: { userId: string; direction: "followers" | "following" }) {
  const trpc = useTRPC();
  const options =
    direction === "followers"
      ? trpc.social.followers.infiniteQueryOptions({ userId, limit: 20 }, { getNextPageParam: (p) => p.nextCursor })
      : trpc.social.following.infiniteQueryOptions({ userId, limit: 20 }, { getNextPageParam: (p) => p.nextCursor });
  const list = useInfiniteQuery(options);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const title = direction === "followers" ? "Followers" : "Following";

  return (
    <section className="card stack-sm" aria-labelledby={`${direction}-title`}>
      <h2 id={`${direction}-title`}>{title}</h2>
      {list.isPending ? <p role="status">Loading…</p> : null}
      <ErrorMessage error={list.error} />
      {list.isSuccess && items.length === 0 ? <p className="muted">Nobody yet.</p> : null}
      <ul className="stack-sm" aria-label={title}>
        {items.map((edge) => (
          <li key={edge.user.id}>
            <Link href={`/people/${edge.user.id}`}>{edge.user.displayName}</Link>
          </li>
        ))}
      </ul>
      {list.hasNextPage ? (
        <button type="button" className="button button--secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          More
        </button>
      ) : null}
    </section>
  );
}
