/**
 * Replies to stories (stories.reply, docs/stories.md#replying-to-a-story): which story I answer,
 * and the story a chat message answers, as the history and the prompt show it.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { stories } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import type { StoryVisibility } from "./feed.ts";
import { storyVisibleTo } from "./visibility.ts";

export type StoryReplyTarget = { id: string; caption: string | null } & (
  | { author: "companion"; companionId: string }
  | { author: "user"; authorUserId: string }
);

/** The story I reply to and who wrote it. NOT_FOUND unless I may see it now (live included: storyVisibleTo). */
export async function findStoryForReply(db: Database, params: { userId: string; storyId: string }): Promise<StoryReplyTarget> {
  const [row] = await db
    .select({ id: stories.id, caption: stories.caption, companionId: stories.authorCompanionId, authorUserId: stories.authorUserId })
    .from(stories)
    .where(and(eq(stories.id, params.storyId), storyVisibleTo(params.userId)));
  if (!row) throw notFound("Story");
  if (row.companionId !== null) return { id: row.id, caption: row.caption, author: "companion", companionId: row.companionId };
  if (row.authorUserId !== null) return { id: row.id, caption: row.caption, author: "user", authorUserId: row.authorUserId };
  throw new Error(`story ${row.id} has no author`);
}

/**
 * The caption of the story a message answers, for the prompt, whether or not it is still live
 * (the reply is about it either way); null once it is removed or hidden from me (RLS).
 */
export async function loadPromptStory(db: Database, params: { storyId: string }): Promise<{ caption: string | null } | null> {
  const [row] = await db.select({ caption: stories.caption }).from(stories).where(eq(stories.id, params.storyId));
  return row ?? null;
}

/** A story as a message that answers it shows it; the wire signs the slide's URL from it. */
export interface MessageStoryRef {
  id: string;
  caption: string | null;
  visibility: StoryVisibility;
  expiresAt: Date;
  firstSlide: { kind: "image" | "video"; mediaKey: string } | null;
}

const firstSlide = (column: "kind" | "media_key") =>
  sql.raw(`(select sm.${column} from story_media sm where sm.story_id = "stories"."id" order by sm.sort_order limit 1)`);

/**
 * The stories among `storyIds` that I may see now (live, visible: storyVisibleTo), with their
 * first slide, in one query; a story past its 24 hours or deleted is left out.
 */
export async function loadMessageStoryRefs(db: Database, params: { userId: string; storyIds: readonly string[] }): Promise<Map<string, MessageStoryRef>> {
  if (params.storyIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: stories.id,
      caption: stories.caption,
      visibility: stories.visibility,
      expiresAt: stories.expiresAt,
      slideKind: sql<"image" | "video" | null>`${firstSlide("kind")}`,
      slideKey: sql<string | null>`${firstSlide("media_key")}`,
    })
    .from(stories)
    .where(and(inArray(stories.id, [...params.storyIds]), storyVisibleTo(params.userId)));
  return new Map(
    rows.map(({ slideKind, slideKey, ...story }) => [
      story.id,
      { ...story, firstSlide: slideKind !== null && slideKey !== null ? { kind: slideKind, mediaKey: slideKey } : null },
    ]),
  );
}
