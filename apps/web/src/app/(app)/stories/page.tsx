"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorMessage } from "@/components/query-state";
import { groupByAuthor, type AuthorGroup } from "@/components/stories/author-groups";
import { MyProfileLink } from "@/components/stories/my-profile-link";
import { MyStories } from "@/components/stories/my-stories";
import { StoryAuthors } from "@/components/stories/story-authors";
import { StoryViewer } from "@/components/stories/story-viewer";
import { useSession } from "@/lib/session";
import { useTRPC } from "@/lib/trpc";

/** The story feed as a row of authors (companions I am connected with, people I follow, me), a viewer, my own stories. */
export default function StoriesPage() {
  const trpc = useTRPC();
  const { user } = useSession();
  const feed = useInfiniteQuery(trpc.stories.feed.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const [open, setOpen] = useState<AuthorGroup | null>(null);
  const stories = feed.data?.pages.flatMap((p) => p.items) ?? [];
  const myId = user?.id ?? null;
  const isMine = (s: (typeof stories)[number]) => s.author.kind === "user" && s.author.id === myId;
  const groups = groupByAuthor(stories);

  return (
    <section className="stack">
      <div className="page-title">
        <h1>Stories</h1>
        <Link href="/stories/new" className="button">
          New story
        </Link>
      </div>
      {feed.isPending ? <p role="status">Loading stories…</p> : null}
      <ErrorMessage error={feed.error} />
      {feed.isSuccess && groups.length === 0 ? (
        <p>No stories yet. Connect with a companion or follow a friend to see theirs.</p>
      ) : null}
      <StoryAuthors groups={groups} onOpen={setOpen} />
      {feed.hasNextPage ? (
        <button type="button" className="button button--secondary" disabled={feed.isFetchingNextPage} onClick={() => void feed.fetchNextPage()}>
          More stories
        </button>
      ) : null}
      {open ? <StoryViewer group={open} myUserId={myId} onClose={() => setOpen(null)} /> : null}
      {myId ? <MyProfileLink userId={myId} /> : null}
      {feed.isSuccess ? <MyStories stories={stories.filter(isMine)} /> : null}
    </section>
  );
}
