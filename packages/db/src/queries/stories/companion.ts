import { sql } from "drizzle-orm";
import { relationshipStates, stories, storyMedia } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";

export interface CompanionStorySlide {
  kind: "image" | "video";
  mediaKey: string;
  width?: number | null;
  height?: number | null;
  durationMs?: number | null;
}

const COMPANION_STORY_TTL_MS = 24 * 60 * 60 * 1000;

/** Runs in the story's transaction once it is written: the caller enqueues its notifications job there. */
export type OnCompanionStoryPublished = (tx: Database, story: { storyId: string; companionId: string }) => Promise<void>;

/**
 * Posts a companion's story and tells every connected user (`companion.story_posted`), in one
 * transaction; `onPublished` runs in it too. Service code only: RLS hides a companion's
 * connections from request code.
 */
export async function publishCompanionStory(
  db: Database,
  params: {
    companionId: string;
    caption?: string | null;
    slides: CompanionStorySlide[];
    createdAt?: Date;
    ttlMs?: number;
    onPublished?: OnCompanionStoryPublished;
  },
): Promise<{ storyId: string; notified: number }> {
  if (params.slides.length === 0) throw new Error("a story needs at least one slide");
  const createdAt = params.createdAt ?? new Date();
  return inTransaction(db, async (tx) => {
    const [story] = await tx
      .insert(stories)
      .values({
        authorCompanionId: params.companionId,
        caption: params.caption ?? null,
        visibility: "public",
        createdAt,
        expiresAt: new Date(createdAt.getTime() + (params.ttlMs ?? COMPANION_STORY_TTL_MS)),
      })
      .returning({ id: stories.id });
    if (!story) throw new Error("insert into stories returned no row");
    await tx.insert(storyMedia).values(
      params.slides.map((s, i) => ({
        storyId: story.id,
        sortOrder: i,
        kind: s.kind,
        mediaKey: s.mediaKey,
        width: s.width ?? null,
        height: s.height ?? null,
        durationMs: s.durationMs ?? null,
      })),
    );
    await params.onPublished?.(tx, { storyId: story.id, companionId: params.companionId });
    // The fan-out stays in the database: one statement, however many users are connected.
    const payload = JSON.stringify({ storyId: story.id, companionId: params.companionId });
    const emitted = await tx.select({ id: sql`e.event_id`.mapWith(Number) }).from(sql`emit_events((
      select coalesce(jsonb_agg(jsonb_build_object('user_id', ${relationshipStates.userId}, 'type', 'companion.story_posted', 'payload', ${payload}::jsonb)), '[]'::jsonb)
      from ${relationshipStates} where ${relationshipStates.companionId} = ${params.companionId}
    )) as e`);
    return { storyId: story.id, notified: emitted.length };
  });
}
