"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import type { FeedStory } from "./author-groups";

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** My last 7 days as an author (stories.stats). */
function MyStoryStats() {
  const trpc = useTRPC();
  const stats = useQuery(trpc.stories.stats.queryOptions());
  if (stats.isPending) return <p role="status">Loading stats…</p>;
  if (stats.error) return <ErrorMessage error={stats.error} />;
  const s = stats.data;
  return (
    <dl className="stats" aria-label="My story stats, last 7 days">
      <div>
        <dt>Stories</dt>
        <dd>{s.storiesPosted}</dd>
      </div>
      <div>
        <dt>Views</dt>
        <dd>{s.views}</dd>
      </div>
      <div>
        <dt>Viewers</dt>
        <dd>{s.uniqueViewers}</dd>
      </div>
      <div>
        <dt>Reactions</dt>
        <dd>{s.reactions.length === 0 ? "none" : s.reactions.map((r) => `${r.emoji} ${r.count}`).join(" ")}</dd>
      </div>
    </dl>
  );
}

/** Who viewed one of my stories, latest first, a page at a time. */
function StoryViewers({ storyId }: { storyId: string }) {
  const trpc = useTRPC();
  const viewers = useInfiniteQuery(trpc.stories.viewers.infiniteQueryOptions({ storyId, limit: 20 }, { getNextPageParam: (p) => p.nextCursor }));
  const items = viewers.data?.pages.flatMap((p) => p.items) ?? [];
  if (viewers.isPending) return <p role="status">Loading viewers…</p>;
  return (
    <>
      <ErrorMessage error={viewers.error} />
      {viewers.isSuccess && items.length === 0 ? <p className="muted">No viewers yet.</p> : null}
      <ul className="stack-sm" aria-label="Viewers">
        {items.map((v) => (
          <li key={v.user.id}>
            <Link href={`/people/${v.user.id}`}>{v.user.displayName}</Link> <span className="muted">at {time(v.viewedAt)}</span>
          </li>
        ))}
      </ul>
      {viewers.hasNextPage ? (
        <button type="button" className="button button--secondary" onClick={() => void viewers.fetchNextPage()} disabled={viewers.isFetchingNextPage}>
          More viewers
        </button>
      ) : null}
    </>
  );
}

function MyStory({ story }: { story: FeedStory }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [showViewers, setShowViewers] = useState(false);
  const remove = useMutation(
    trpc.stories.delete.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() }) }),
  );
  const name = `story of ${time(story.createdAt)}`;
  return (
    <li className="card stack-sm">
      <p>
        <strong>{story.caption ?? "No caption"}</strong> <span className="muted">({story.slides.length} slide{story.slides.length === 1 ? "" : "s"}, {story.visibility}, posted {time(story.createdAt)})</span>
      </p>
      <div className="actions">
        <button type="button" className="button button--secondary" aria-expanded={showViewers} onClick={() => setShowViewers(!showViewers)}>
          {showViewers ? "Hide viewers" : "Show viewers"} of {name}
        </button>
        <button type="button" className="button button--danger" disabled={remove.isPending} onClick={() => remove.mutate({ storyId: story.id })}>
          Delete {name}
        </button>
      </div>
      <ErrorMessage error={remove.error} />
      {showViewers ? <StoryViewers storyId={story.id} /> : null}
    </li>
  );
}

/** My live stories (from the feed), each with its viewers and a delete, and my stats. */
export function MyStories({ stories }: { stories: FeedStory[] }) {
  return (
    <section className="stack-sm" aria-labelledby="my-stories">
      <h2 id="my-stories">My stories</h2>
      <MyStoryStats />
      {stories.length === 0 ? <p className="muted">You have no live story.</p> : null}
      <ul className="stack-sm" aria-label="My live stories">
        {stories.map((story) => (
          <MyStory key={story.id} story={story} />
        ))}
      </ul>
    </section>
  );
}
