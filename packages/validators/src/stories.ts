import { z } from "zod";
import { cursor, isoDateTime, page, uuid } from "./common.ts";

/**
 * Reactions a viewer may leave on a story slide. A closed set keeps per-emoji stats
 * meaningful and rules out arbitrary text (or a megabyte of it) in the reaction column.
 */
export const STORY_REACTION_EMOJI = ["❤️", "😂", "😮", "😢", "🔥", "👏"] as const;
export const storyReactionEmoji = z.enum(STORY_REACTION_EMOJI);
export type StoryReactionEmoji = z.infer<typeof storyReactionEmoji>;

export const STORY_FEED_MAX_LIMIT = 50;

export const storyFeedInput = z.object({
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(STORY_FEED_MAX_LIMIT).default(20),
});
export type StoryFeedInput = z.infer<typeof storyFeedInput>;

export const storyByIdInput = z.object({ storyId: uuid });
export const storyReactInput = z.object({ mediaId: uuid, emoji: storyReactionEmoji });
export const storyUnreactInput = z.object({ mediaId: uuid });
export const storyMarkViewedInput = z.object({ storyId: uuid });

/**
 * One slide. `url` is relative to the API origin (e.g. `/media/demo/luna/1.svg`): the
 * server serves it with cache headers. `myReaction` is the signed-in user's emoji or null.
 */
export const storySlide = z.object({
  id: uuid,
  sortOrder: z.number().int(),
  kind: z.enum(["image", "video"]),
  url: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  myReaction: z.string().nullable(),
});
export type StorySlide = z.infer<typeof storySlide>;

/** The public profile of a story's author. A union on `kind`, so user authors can join later. */
export const storyCompanionAuthor = z.object({
  kind: z.literal("companion"),
  id: uuid,
  name: z.string(),
  avatarUrl: z.string().nullable(),
});
export const storyAuthor = z.discriminatedUnion("kind", [storyCompanionAuthor]);
export type StoryAuthor = z.infer<typeof storyAuthor>;

export const story = z.object({
  id: uuid,
  caption: z.string().nullable(),
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
  /** Whether the signed-in user has marked it viewed. */
  seen: z.boolean(),
  author: storyAuthor,
  /** Ordered by `sortOrder`. */
  slides: z.array(storySlide),
});
export type Story = z.infer<typeof story>;

export const storyFeedPage = page(story);
export type StoryFeedPage = z.infer<typeof storyFeedPage>;

export const storyReaction = z.object({ mediaId: uuid, storyId: uuid, emoji: storyReactionEmoji });
export type StoryReaction = z.infer<typeof storyReaction>;

export const storyUnreactResult = z.object({ mediaId: uuid, removed: z.boolean() });
export const storyMarkViewedResult = z.object({ storyId: uuid, seen: z.literal(true) });
