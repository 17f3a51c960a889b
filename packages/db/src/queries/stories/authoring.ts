import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { DomainError, notFound } from "../../errors.ts";
import { stories, storyAudience, storyMedia, storyReactions, storyViews } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { assertOwnedUploads } from "../media.ts";
import { getPublicProfiles } from "../social.ts";
import { getStory, type StoryRecord, type StoryVisibility } from "./feed.ts";
import { ownStoryRetained } from "./visibility.ts";

/** Stories of users, like companions', vanish from every read 24 hours after posting. */
const USER_STORY_TTL = "24 hours";

/** The window of `getMyStoryStats`. */
const STORY_STATS_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** A slide's kind comes from the upload's content type, never from the client. */
function slideKind(contentType: string, key: string): "image" | "video" {
  if (contentType.startsWith("image/")) return "image";
  if (contentType.startsWith("video/")) return "video";
  throw new DomainError("BAD_REQUEST", "Only images and videos can be story slides", { mediaKeys: [key] });
}

export interface CreateUserStoryParams {
  userId: string;
  caption?: string | null | undefined;
  /** In slide order; each one uploaded by this user and stored. */
  mediaKeys: readonly string[];
  visibility: StoryVisibility;
  /** Only for `private`: who besides me may see it. Empty (or only me): nobody else. */
  audienceUserIds?: readonly string[] | undefined;
}

/**
 * Posts the user's story, its slides (their own finished uploads) and its audience in one
 * transaction; it expires after 24 hours. Rules and errors: docs/social.md "Creating, deleting".
 */
export async function createUserStory(db: Database, params: CreateUserStoryParams): Promise<StoryRecord> {
  const audience = [...new Set(params.audienceUserIds ?? [])].filter((id) => id !== params.userId);
  if (audience.length > 0 && params.visibility !== "private") {
    throw new DomainError("BAD_REQUEST", "An audience is only for private stories", { field: "audienceUserIds" });
  }
  return inTransaction(db, async (tx) => {
    const uploads = await assertOwnedUploads(tx, params.userId, params.mediaKeys);
    const slides = uploads.map((u, sortOrder) => ({ sortOrder, kind: slideKind(u.contentType, u.key), mediaKey: u.key }));
    if (audience.length > 0) {
      const found = new Set((await getPublicProfiles(tx, audience)).map((p) => p.id));
      const missing = audience.filter((id) => !found.has(id));
      if (missing.length > 0) throw new DomainError("NOT_FOUND", "User not found", { audienceUserIds: missing });
    }
    const [story] = await tx
      .insert(stories)
      .values({
        authorUserId: params.userId,
        caption: params.caption || null,
        visibility: params.visibility,
        // created_at defaults to now() too: the transaction's time, so exactly 24 hours apart.
        expiresAt: sql`now() + ${sql.raw(`interval '${USER_STORY_TTL}'`)}`,
      })
      .returning({ id: stories.id });
    if (!story) throw new Error("insert into stories returned no row");
    await tx.insert(storyMedia).values(slides.map((s) => ({ ...s, storyId: story.id })));
    if (audience.length > 0) await tx.insert(storyAudience).values(audience.map((userId) => ({ storyId: story.id, userId })));
    return getStory(tx, { userId: params.userId, storyId: story.id });
  });
}

/**
 * Soft-deletes the user's own live story: it vanishes from every read at once, and from the
 * author's stats; the cleanup job purges it after its grace period. Anyone else's story, or
 * one already gone (expired, deleted), is NOT_FOUND.
 */
export async function deleteUserStory(db: Database, params: { userId: string; storyId: string }): Promise<void> {
  const rows = await db
    .update(stories)
    .set({ deletedAt: sql`now()` })
    .where(and(eq(stories.id, params.storyId), eq(stories.authorUserId, params.userId), isNull(stories.deletedAt), gt(stories.expiresAt, sql`now()`)))
    .returning({ id: stories.id });
  if (rows.length === 0) throw notFound("Story");
}

export interface StoryStats {
  /** Start of the window: stories posted after it count, with all their views and reactions. */
  since: Date;
  storiesPosted: number;
  views: number;
  uniqueViewers: number;
  /** Most used first. */
  reactions: { emoji: string; count: number }[];
}

/**
 * My last 7 days as an author: stories posted (those I deleted do not count), their views
 * and distinct viewers, and their reactions by emoji. My own views and reactions on my
 * stories are left out. Two statements, both starting from stories_user_created_idx.
 */
export async function getMyStoryStats(db: Database, params: { userId: string; now?: Date }): Promise<StoryStats> {
  const since = new Date((params.now ?? new Date()).getTime() - STORY_STATS_WINDOW_MS);
  const mine = and(ownStoryRetained(params.userId), gt(stories.createdAt, since));
  const [counts] = await db
    .select({
      storiesPosted: sql<number>`count(distinct ${stories.id})::int`,
      views: sql<number>`count(${storyViews.id})::int`,
      uniqueViewers: sql<number>`count(distinct ${storyViews.viewerId})::int`,
    })
    .from(stories)
    .leftJoin(storyViews, and(eq(storyViews.storyId, stories.id), ne(storyViews.viewerId, params.userId)))
    .where(mine);
  const reactions = await db
    .select({ emoji: storyReactions.emoji, count: sql<number>`count(*)::int` })
    .from(storyReactions)
    .innerJoin(stories, eq(stories.id, storyReactions.storyId))
    .where(and(mine, ne(storyReactions.userId, params.userId)))
    .groupBy(storyReactions.emoji)
    .orderBy(sql`count(*) desc`, storyReactions.emoji);
  return {
    since,
    storiesPosted: counts?.storiesPosted ?? 0,
    views: counts?.views ?? 0,
    uniqueViewers: counts?.uniqueViewers ?? 0,
    reactions,
  };
}
