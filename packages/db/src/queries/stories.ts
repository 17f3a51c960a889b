import { and, desc, eq, inArray, isNotNull, isNull, lt, lte, sql, type SQL } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { companions, relationshipStates, stories, storyMedia, storyReactions, storyViews } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { emitEvents } from "./events.ts";
import { inTransaction, recordInteraction } from "./relationships.ts";
import { companionVisibleTo } from "./visibility.ts";

export interface StorySlideRecord {
  id: string;
  storyId: string;
  sortOrder: number;
  kind: "image" | "video";
  /** Storage key; the API turns it into a URL (`/media/<key>`). */
  mediaKey: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** The viewer's emoji on this slide, or null. */
  myReaction: string | null;
}

export interface StoryRecord {
  id: string;
  caption: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** The viewer has a row in story_views. */
  seen: boolean;
  author: { kind: "companion"; id: string; name: string; avatarUrl: string | null };
  slides: StorySlideRecord[];
}

/**
 * The one definition of "a story this user may see": live (not soft-deleted, not past
 * expiry, whether or not the cleanup job has run yet) and authored by a companion the user
 * is connected with and may still see (public or theirs). Every read and write on stories
 * goes through it, so a story the user may not see is NOT_FOUND everywhere alike.
 * Self-contained (no join required of the caller), so user-authored stories can extend it
 * with an OR branch.
 */
function visibleTo(userId: string): SQL {
  // `companions` inside the EXISTS shadows any `companions` joined by the outer query.
  return sql`${stories.deletedAt} is null and ${stories.expiresAt} > now() and exists (
    select 1 from ${relationshipStates} join ${companions} on ${companions.id} = ${relationshipStates.companionId}
    where ${relationshipStates.userId} = ${userId} and ${relationshipStates.companionId} = ${stories.authorCompanionId}
      and ${companionVisibleTo(userId)})`;
}

/**
 * Query 1 of 2: story heads with `seen` and the author, both joined, newest first.
 * Served by the partial index stories_live_created_idx (created_at, id) WHERE deleted_at
 * IS NULL, scanned backward from the cursor: no sort, and page 500 costs what page 1 does
 * (docs/query-plans.md).
 */
function selectStoryHeads(db: Database, userId: string, where: SQL | undefined, limit: number) {
  return db
    .select({
      id: stories.id,
      caption: stories.caption,
      createdAt: stories.createdAt,
      expiresAt: stories.expiresAt,
      seen: sql<boolean>`(${storyViews.id} is not null)`,
      authorId: companions.id,
      authorName: companions.name,
      authorAvatarUrl: companions.avatarUrl,
    })
    .from(stories)
    .innerJoin(companions, eq(companions.id, stories.authorCompanionId))
    // At most one row per story (unique on story_id, viewer_id). A join rather than an
    // EXISTS in the select list: Postgres plans that EXISTS for every visible story, not
    // the page, and so hashes ALL of the viewer's views on each page; the join probes the
    // unique index once per row returned (docs/query-plans.md).
    .leftJoin(storyViews, and(eq(storyViews.storyId, stories.id), eq(storyViews.viewerId, userId)))
    .where(and(visibleTo(userId), where))
    .orderBy(desc(stories.createdAt), desc(stories.id))
    .limit(limit);
}

type StoryHead = Awaited<ReturnType<typeof selectStoryHeads>>[number];

/**
 * Query 2 of 2: every slide of these stories with the viewer's reaction, in one batch
 * (`= any($1::uuid[])`, never a query per story), grouped here. Sorting the few slides in
 * memory keeps the plan a plain index scan on story_media_story_order_key.
 */
async function attachSlides(db: Database, userId: string, heads: StoryHead[]): Promise<StoryRecord[]> {
  if (heads.length === 0) return [];
  const ids = heads.map((h) => h.id);
  const rows = await db
    .select({
      id: storyMedia.id,
      storyId: storyMedia.storyId,
      sortOrder: storyMedia.sortOrder,
      kind: storyMedia.kind,
      mediaKey: storyMedia.mediaKey,
      width: storyMedia.width,
      height: storyMedia.height,
      durationMs: storyMedia.durationMs,
      myReaction: storyReactions.emoji,
    })
    .from(storyMedia)
    .leftJoin(storyReactions, and(eq(storyReactions.mediaId, storyMedia.id), eq(storyReactions.userId, userId)))
    .where(sql`${storyMedia.storyId} = any(${sql.param(ids)}::uuid[])`);
  const byStory = new Map<string, StorySlideRecord[]>(ids.map((id) => [id, []]));
  for (const row of rows) byStory.get(row.storyId)?.push(row);
  return heads.map((h) => ({
    id: h.id,
    caption: h.caption,
    createdAt: h.createdAt,
    expiresAt: h.expiresAt,
    seen: h.seen,
    author: { kind: "companion", id: h.authorId, name: h.authorName, avatarUrl: h.authorAvatarUrl },
    slides: (byStory.get(h.id) ?? []).sort((a, b) => a.sortOrder - b.sortOrder),
  }));
}

/**
 * Stories of the companions the user is connected with, newest first, keyset-paged on
 * (created_at, id). Exactly two queries per page: the heads, then all their slides.
 */
export async function listStoryFeed(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: StoryRecord[]; nextCursor: string | null }> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  // A row comparison, so the bound becomes an index condition rather than a filter.
  const before = after
    ? sql`(${stories.createdAt}, ${stories.id}) < (${sql.param(after.createdAt, stories.createdAt)}::timestamptz, ${after.id}::uuid)`
    : undefined;
  const rows = await selectStoryHeads(db, params.userId, before, params.limit + 1);
  const heads = rows.slice(0, params.limit);
  const last = heads[heads.length - 1];
  const nextCursor = rows.length > params.limit && last ? encodeCursor(last) : null;
  return { items: await attachSlides(db, params.userId, heads), nextCursor };
}

/** One story in the feed's shape; NOT_FOUND when the user may not see it. */
export async function getStory(db: Database, params: { userId: string; storyId: string }): Promise<StoryRecord> {
  const heads = await selectStoryHeads(db, params.userId, eq(stories.id, params.storyId), 1);
  const [story] = await attachSlides(db, params.userId, heads);
  if (!story) throw notFound("Story");
  return story;
}

/**
 * How warm each reaction reads to the relationship model (-1..1). Unknown emoji count as
 * neutral, so the allowed set (packages/validators) can grow without touching this.
 */
const REACTION_SENTIMENT: Record<string, number> = { "❤️": 0.9, "🔥": 0.7, "👏": 0.6, "😂": 0.6, "😮": 0.2, "😢": 0.1 };

/**
 * Sets the user's reaction on one slide (UPSERT on user + media: reacting again replaces
 * the emoji). A first reaction to a companion's story is an interaction for the
 * relationship, recorded in the same transaction; changing the emoji is not another one.
 */
export async function upsertStoryReaction(
  db: Database,
  params: { userId: string; mediaId: string; emoji: string; at?: Date },
): Promise<{ mediaId: string; storyId: string; emoji: string }> {
  return inTransaction(db, async (tx) => {
    const [media] = await tx
      .select({ storyId: storyMedia.storyId, companionId: stories.authorCompanionId, authorUserId: stories.authorUserId })
      .from(storyMedia)
      .innerJoin(stories, eq(stories.id, storyMedia.storyId))
      .where(and(eq(storyMedia.id, params.mediaId), visibleTo(params.userId)));
    if (!media) throw notFound("Story media");
    const [row] = await tx
      .insert(storyReactions)
      .values({ userId: params.userId, mediaId: params.mediaId, storyId: media.storyId, emoji: params.emoji })
      .onConflictDoUpdate({
        target: [storyReactions.userId, storyReactions.mediaId],
        set: { emoji: params.emoji, updatedAt: sql`now()` },
      })
      .returning({ emoji: storyReactions.emoji, inserted: sql<boolean>`(xmax = 0)` });
    if (!row) throw new Error("upsert into story_reactions returned no row");
    if (row.inserted && media.companionId) {
      await recordInteraction(tx, {
        userId: params.userId,
        companionId: media.companionId,
        kind: "reaction",
        sentiment: REACTION_SENTIMENT[params.emoji] ?? 0,
        at: params.at,
      });
    }
    // A user author hears of it live (docs/realtime.md); a companion author has no inbox.
    if (media.authorUserId && media.authorUserId !== params.userId) {
      const payload = { storyId: media.storyId, mediaId: params.mediaId, reactorId: params.userId, emoji: row.emoji };
      await emitEvents(tx, [{ userId: media.authorUserId, type: "story.reacted", payload }]);
    }
    return { mediaId: params.mediaId, storyId: media.storyId, emoji: row.emoji };
  });
}

/** Removes the user's reaction on a slide; idempotent (`removed` says whether there was one). */
export async function deleteStoryReaction(db: Database, params: { userId: string; mediaId: string }): Promise<{ removed: boolean }> {
  const rows = await db
    .delete(storyReactions)
    .where(and(eq(storyReactions.userId, params.userId), eq(storyReactions.mediaId, params.mediaId)))
    .returning({ id: storyReactions.id });
  return { removed: rows.length > 0 };
}

/**
 * Records that the user viewed a story: once per viewer (ON CONFLICT DO NOTHING keeps the
 * first view time), so repeats are free and counts stay honest. NOT_FOUND if not visible.
 */
export async function markStoryViewed(db: Database, params: { userId: string; storyId: string }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const [story] = await tx
      .select({ id: stories.id, authorUserId: stories.authorUserId })
      .from(stories)
      .where(and(eq(stories.id, params.storyId), visibleTo(params.userId)));
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

export const STORY_DELETE_GRACE_MS = 60 * 60 * 1000;

/**
 * The cleanup job. Soft-deletes stories past expiry (they already vanished from reads, which
 * check expires_at themselves), then hard-deletes those soft-deleted longer than `graceMs`
 * ago (media, reactions and views go with them by cascade). Works in batches with
 * SKIP LOCKED, so transactions stay short and the server and a worker may run it at once.
 */
export async function expireStories(
  db: Database,
  params: { now?: Date; graceMs?: number; batchSize?: number } = {},
): Promise<{ softDeleted: number; hardDeleted: number }> {
  const now = params.now ?? new Date();
  const batchSize = params.batchSize ?? 1000;
  const purgeBefore = new Date(now.getTime() - (params.graceMs ?? STORY_DELETE_GRACE_MS));

  const softDeleted = await inBatches(batchSize, async () => {
    // Served by the partial index stories_expires_live_idx (expires_at) WHERE deleted_at IS NULL.
    const due = db
      .select({ id: stories.id })
      .from(stories)
      .where(and(isNull(stories.deletedAt), lte(stories.expiresAt, now)))
      .limit(batchSize)
      .for("update", { skipLocked: true });
    const rows = await db
      .update(stories)
      .set({ deletedAt: now })
      .where(and(inArray(stories.id, due), isNull(stories.deletedAt)))
      .returning({ id: stories.id });
    return rows.length;
  });

  const hardDeleted = await inBatches(batchSize, async () => {
    // Served by the partial index stories_deleted_idx (deleted_at) WHERE deleted_at IS NOT NULL.
    const due = db
      .select({ id: stories.id })
      .from(stories)
      .where(and(isNotNull(stories.deletedAt), lt(stories.deletedAt, purgeBefore)))
      .limit(batchSize)
      .for("update", { skipLocked: true });
    const rows = await db
      .delete(stories)
      .where(and(inArray(stories.id, due), isNotNull(stories.deletedAt)))
      .returning({ id: stories.id });
    return rows.length;
  });

  return { softDeleted, hardDeleted };
}

async function inBatches(batchSize: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < batchSize) return total;
  }
}
