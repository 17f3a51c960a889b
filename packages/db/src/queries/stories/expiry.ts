import { and, gte, inArray, isNotNull, isNull, lt, lte, or } from "drizzle-orm";
import { stories, storyMedia } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

const STORY_DELETE_GRACE_MS = 60 * 60 * 1000;

/** How long a user's story that expired on its own is kept for the author's stats and viewers. */
const STORY_STATS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The cleanup job: soft-deletes stories past expiry, hard-deletes them after the grace period (a
 * user's expired story after 7 days, for their stats), in SKIP LOCKED batches (docs/stories.md).
 * `onMedia` gets the media keys of each batch inside that batch's transaction (the job enqueues
 * their purge there, so a crash between the two loses nothing).
 */
export async function expireStories(
  db: Database,
  params: { now?: Date; graceMs?: number; batchSize?: number; onMedia?: (tx: Database, keys: string[]) => Promise<void> } = {},
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
    if (media.length > 0 && params.onMedia) await params.onMedia(executor, [...new Set(media.map((m) => m.key))]);
  };

  const softDeleted = await inBatches(batchSize, () => db.transaction(async (db) => {
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
  }));

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
