import { and, desc, eq, ne, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { encodeCursor, decodeCursor, toPage, type Page } from "../../pagination.ts";
import { stories, storyViews } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { emitEvents } from "../events.ts";
import type { PublicProfile } from "../social.ts";
import { ownStoryRetained, storyVisibleTo } from "./visibility.ts";

/**
 * Records that the user viewed a story: once per viewer (ON CONFLICT DO NOTHING keeps the
 * first view time), so repeats are free and counts stay honest. NOT_FOUND if not visible.
 */
export async function markStoryViewed(db: Database, params: { userId: string; storyId: string }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const [story] = await tx
      .select({ id: stories.id, authorUserId: stories.authorUserId })
      .from(stories)
      .where(and(eq(stories.id, params.storyId), storyVisibleTo(params.userId)));
    if (!story) throw notFound("Story");
    const first = await tx
      .insert(storyViews)
      .values({ storyId: story.id, viewerId: params.userId })
      .onConflictDoNothing({ target: [storyViews.storyId, storyViews.viewerId] })
      .returning({ id: storyViews.id });
    // A first view of a user's story tells its author live (docs/realtime.md); repeats do not.
    if (first.length > 0 && story.authorUserId && story.authorUserId !== params.userId) {
      await emitEvents(tx, [{ userId: story.authorUserId, type: "story.viewed", payload: { storyId: story.id, viewerId: params.userId } }]);
    }
  });
}

export interface StoryViewerRecord {
  user: PublicProfile;
  viewedAt: Date;
}

/**
 * Who viewed my story (me left out), latest first, keyset-paged on (viewed_at, viewer_id). The
 * author only, while the story is kept for them (`ownStoryRetained`); anyone else: NOT_FOUND.
 */
export async function listStoryViewers(
  db: Database,
  params: { userId: string; storyId: string; cursor?: string | undefined; limit: number },
): Promise<Page<StoryViewerRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const [story] = await db
    .select({ id: stories.id })
    .from(stories)
    .where(and(eq(stories.id, params.storyId), ownStoryRetained(params.userId)));
  if (!story) throw notFound("Story");
  const rows = await db
    .select({
      id: storyViews.viewerId,
      viewedAt: storyViews.viewedAt,
      displayName: sql<string>`p.display_name`,
      avatarUrl: sql<string | null>`p.avatar_url`,
    })
    .from(storyViews)
    .crossJoinLateral(sql`user_public_profile(${storyViews.viewerId}) as p`)
    .where(
      and(
        eq(storyViews.storyId, story.id),
        ne(storyViews.viewerId, params.userId),
        // Not my block peers' views (RLS says the same); outside withUser the function answers nothing.
        sql`${storyViews.viewerId} not in (select my_block_peer_ids())`,
        after
          ? sql`(${storyViews.viewedAt}, ${storyViews.viewerId}) < (${sql.param(after.createdAt, storyViews.viewedAt)}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(storyViews.viewedAt), desc(storyViews.viewerId))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.viewedAt, id: last.id }));
  return {
    items: page.items.map((r) => ({ user: { id: r.id, displayName: r.displayName, avatarUrl: r.avatarUrl }, viewedAt: r.viewedAt })),
    nextCursor: page.nextCursor,
  };
}
