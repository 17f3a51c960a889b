import { and, eq, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { prepareOnce } from "../../prepared.ts";
import { stories, storyMedia, storyReactions } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { recordInteraction } from "../companions/relationships.ts";
import { emitEvents } from "../events.ts";
import { storyVisibleTo } from "./visibility.ts";

/**
 * How warm each reaction reads to the relationship model (-1..1). Unknown emoji count as
 * neutral, so the allowed set (packages/validators) can grow without touching this.
 */
const REACTION_SENTIMENT: Record<string, number> = { "❤️": 0.9, "🔥": 0.7, "👏": 0.6, "😂": 0.6, "😮": 0.2, "😢": 0.1 };

/** The slide's story, if the user may see it (the select and the upsert: built once, prepared.ts). */
const reactableMedia = prepareOnce<{ userId: string; mediaId: string }, { storyId: string; companionId: string | null; authorUserId: string | null }>(
  "story_reaction_media",
  (db, slot) =>
    db
      .select({ storyId: storyMedia.storyId, companionId: stories.authorCompanionId, authorUserId: stories.authorUserId })
      .from(storyMedia)
      .innerJoin(stories, eq(stories.id, storyMedia.storyId))
      .where(and(eq(storyMedia.id, slot("mediaId")), storyVisibleTo(slot("userId")))),
  (row) => {
    const [storyId, companionId, authorUserId] = row as [string, string | null, string | null];
    return { storyId, companionId, authorUserId };
  },
);

const upsertReaction = prepareOnce<{ userId: string; mediaId: string; storyId: string; emoji: string }, { emoji: string; inserted: boolean }>(
  "story_reaction_upsert",
  (db, slot) =>
    db
      .insert(storyReactions)
      .values({ userId: slot("userId"), mediaId: slot("mediaId"), storyId: slot("storyId"), emoji: slot("emoji") })
      .onConflictDoUpdate({
        target: [storyReactions.userId, storyReactions.mediaId],
        // `sql` only for the type: the same "$n" as the plain value.
        set: { emoji: sql`${slot("emoji")}`, updatedAt: sql`now()` },
      })
      .returning({ emoji: storyReactions.emoji, inserted: sql<boolean>`(xmax = 0)` }),
  (row) => {
    const [emoji, inserted] = row as [string, boolean];
    return { emoji, inserted };
  },
);

/**
 * Sets the user's reaction on one slide (UPSERT on user + media: reacting again replaces
 * the emoji). A first reaction to a companion's story is an interaction for the
 * relationship, recorded in the same transaction; changing the emoji is not another one.
 */
export async function upsertStoryReaction(
  db: Database,
  params: { userId: string; mediaId: string; emoji: string; at?: Date },
): Promise<{ mediaId: string; storyId: string; emoji: string; authorUserId: string | null; inserted: boolean }> {
  return inTransaction(db, async (tx) => {
    const [media] = await reactableMedia(tx, { userId: params.userId, mediaId: params.mediaId });
    if (!media) throw notFound("Story media");
    const [row] = await upsertReaction(tx, { userId: params.userId, mediaId: params.mediaId, storyId: media.storyId, emoji: params.emoji });
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
    return { mediaId: params.mediaId, storyId: media.storyId, emoji: row.emoji, authorUserId: media.authorUserId, inserted: row.inserted };
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
