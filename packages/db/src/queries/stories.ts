import { and, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { stories, storyMedia, storyReactions, storyViews } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { emitEvents } from "./events.ts";
import { inTransaction, recordInteraction } from "./relationships.ts";
import { storyVisibleTo } from "./story-visibility.ts";

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
      .where(and(eq(storyMedia.id, params.mediaId), storyVisibleTo(params.userId)));
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

/**
 * Removes the user's reaction on a slide; idempotent (`removed` says whether there was one).
 * NOT_FOUND when the user may no longer see the story, like every other story operation.
 */
export async function deleteStoryReaction(db: Database, params: { userId: string; mediaId: string }): Promise<{ removed: boolean }> {
  return inTransaction(db, async (tx) => {
    const [media] = await tx
      .select({ id: storyMedia.id })
      .from(storyMedia)
      .innerJoin(stories, eq(stories.id, storyMedia.storyId))
      .where(and(eq(storyMedia.id, params.mediaId), storyVisibleTo(params.userId)));
    if (!media) throw notFound("Story media");
    const rows = await tx
      .delete(storyReactions)
      .where(and(eq(storyReactions.userId, params.userId), eq(storyReactions.mediaId, params.mediaId)))
      .returning({ id: storyReactions.id });
    return { removed: rows.length > 0 };
  });
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

export const STORY_DELETE_GRACE_MS = 60 * 60 * 1000;

/** How long a user's story that expired on its own is kept for the author's stats and viewers. */
export const STORY_STATS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The cleanup job. Soft-deletes stories past expiry (they already vanished from reads, which
 * check expires_at themselves), then hard-deletes those soft-deleted longer than `graceMs`
 * ago (media, reactions and views go with them by cascade). A user's story that expired on
 * its own (`deleted_at >= expires_at`) is kept until `STORY_STATS_RETENTION_MS` after it was
 * posted, for its author's 7-day stats; one its author deleted goes after the grace period.
 * Works in batches with SKIP LOCKED, so transactions stay short and the server and a worker
 * may run it at once.
 */
export async function expireStories(
  db: Database,
  params: { now?: Date; graceMs?: number; batchSize?: number } = {},
): Promise<{ softDeleted: number; hardDeleted: number; mediaKeys: string[] }> {
  const now = params.now ?? new Date();
  const batchSize = params.batchSize ?? 1000;
  const purgeBefore = new Date(now.getTime() - (params.graceMs ?? STORY_DELETE_GRACE_MS));
  const retainedBefore = new Date(now.getTime() - STORY_STATS_RETENTION_MS);

  // Media of stories that left every read (expired, or deleted by the author) is handed back
  // so the caller can purge the stored objects that no live story still uses.
  const mediaKeys = new Set<string>();
  const collectMediaKeys = async (executor: Database, storyIds: string[]) => {
    if (storyIds.length === 0) return;
    const media = await executor.select({ key: storyMedia.mediaKey }).from(storyMedia).where(inArray(storyMedia.storyId, storyIds));
    for (const m of media) mediaKeys.add(m.key);
  };

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
    await collectMediaKeys(db, rows.map((r) => r.id));
    return rows.length;
  });

  // Each condition repeats the predicate of its partial index (schema/stories.ts), so the
  // planner can use it: stories_purge_idx by deleted_at, stories_retained_idx by created_at.
  const purgeable = [
    and(isNotNull(stories.deletedAt), or(isNull(stories.authorUserId), lt(stories.deletedAt, stories.expiresAt)), lt(stories.deletedAt, purgeBefore)),
    and(
      isNotNull(stories.deletedAt),
      isNotNull(stories.authorUserId),
      gte(stories.deletedAt, stories.expiresAt),
      lt(stories.createdAt, retainedBefore),
      lt(stories.deletedAt, purgeBefore),
    ),
  ];
  let hardDeleted = 0;
  for (const condition of purgeable) {
    hardDeleted += await inBatches(batchSize, () =>
      db.transaction(async (tx) => {
        const due = await tx.select({ id: stories.id }).from(stories).where(condition).limit(batchSize).for("update", { skipLocked: true });
        const ids = due.map((r) => r.id);
        if (ids.length === 0) return 0;
        // Stories an author deleted were soft-deleted outside this job: their media goes now.
        await collectMediaKeys(tx, ids);
        const rows = await tx.delete(stories).where(inArray(stories.id, ids)).returning({ id: stories.id });
        return rows.length;
      }),
    );
  }

  return { softDeleted, hardDeleted, mediaKeys: [...mediaKeys] };
}

async function inBatches(batchSize: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < batchSize) return total;
  }
}
