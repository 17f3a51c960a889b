import { z } from "zod";
import { cursor, isoDateTime, page, text, uuid } from "./common.ts";
import { streamTicket } from "./auth.ts";
import { mediaKey } from "./media.ts";
import { chatMessage, chatMessageContent, idempotencyKey } from "./messages.ts";
import { publicProfile } from "./social.ts";

/**
 * Reactions a viewer may leave on a story slide. A closed set keeps per-emoji stats
 * meaningful and rules out arbitrary text (or a megabyte of it) in the reaction column.
 */
export const STORY_REACTION_EMOJI = ["❤️", "😂", "😮", "😢", "🔥", "👏"] as const;
const storyReactionEmoji = z.enum(STORY_REACTION_EMOJI);

const STORY_FEED_MAX_LIMIT = 50;

export const storiesFeedInput = z.object({
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(STORY_FEED_MAX_LIMIT).default(20),
});

export const storiesByIdInput = z.object({ storyId: uuid });
export const storiesReactInput = z.object({ mediaId: uuid, emoji: storyReactionEmoji });
export const storiesUnreactInput = z.object({ mediaId: uuid });
export const storiesMarkViewedInput = z.object({ storyId: uuid });

/**
 * One slide. `url`: resolve it against the API origin (`new URL(url, apiOrigin)`). Media
 * shipped with the server is `/media/<key>`; an upload's URL is signed and expires (minutes
 * unless the story is public), relative on local storage, an absolute presigned URL on S3
 * (docs/media.md#read-urls). `myReaction` is the signed-in user's emoji or null.
 */
const storySlide = z.object({
  id: uuid,
  sortOrder: z.number().int(),
  kind: z.enum(["image", "video"]),
  url: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  myReaction: z.string().nullable(),
});

/** The public profile of a story's author: a companion, or a user (display name, never email). */
const storyCompanionAuthor = z.object({
  kind: z.literal("companion"),
  id: uuid,
  name: z.string(),
  avatarUrl: z.string().nullable(),
});
const storyUserAuthor = z.object({
  kind: z.literal("user"),
  id: uuid,
  name: z.string(),
  avatarUrl: z.string().nullable(),
});
const storyAuthor = z.discriminatedUnion("kind", [storyCompanionAuthor, storyUserAuthor]);

/** `public`: anyone; `friends`: people the author follows and who follow back; `private`: the audience. */
const STORY_VISIBILITIES = ["public", "friends", "private"] as const;
const storyVisibility = z.enum(STORY_VISIBILITIES);

const story = z.object({
  id: uuid,
  caption: z.string().nullable(),
  /** Companion stories are always `public` (to the users connected with the companion). */
  visibility: storyVisibility,
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
  /** Whether the signed-in user has marked it viewed. */
  seen: z.boolean(),
  author: storyAuthor,
  /** Ordered by `sortOrder`. */
  slides: z.array(storySlide),
});
export type Story = z.infer<typeof story>;

export const storiesFeedOutput = page(story);
export type StoriesFeedOutput = z.infer<typeof storiesFeedOutput>;
export const storiesByIdOutput = story;

/** A reply to a story I may see: my chat with its companion, or a notification to the person who posted it. */
export const storiesReplyInput = z.object({ storyId: uuid, content: chatMessageContent, idempotencyKey });
/**
 * `chat`: my message in the conversation with the story's companion; its reply streams from
 * `messages.stream` as after `messages.start`. `notified`: the story's author was told.
 */
export const storiesReplyOutput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("chat"), userMessage: chatMessage, streamTicket }),
  z.object({ kind: z.literal("notified"), storyId: uuid }),
]);
export type StoriesReplyOutput = z.infer<typeof storiesReplyOutput>;

const storyReaction = z.object({ mediaId: uuid, storyId: uuid, emoji: storyReactionEmoji });
export const storiesReactOutput = storyReaction;

export const storiesUnreactOutput = z.object({ mediaId: uuid, removed: z.boolean() });
export const storiesMarkViewedOutput = z.object({ storyId: uuid, seen: z.literal(true) });

const STORY_CAPTION_MAX = 500;
const STORY_MEDIA_MAX = 10;
const STORY_AUDIENCE_MAX = 100;

/**
 * A user's story. `mediaKeys` are keys from `media.createUpload` whose bytes are uploaded, in
 * slide order; each slide's kind comes from the upload's content type. `audienceUserIds` only
 * with `private` (empty or left out: only me).
 */
export const storiesCreateInput = z
  .object({
    caption: text().trim().max(STORY_CAPTION_MAX).optional(),
    mediaKeys: z.array(mediaKey).min(1).max(STORY_MEDIA_MAX),
    visibility: storyVisibility,
    audienceUserIds: z.array(uuid).max(STORY_AUDIENCE_MAX).optional(),
  })
  .superRefine((v, ctx) => {
    if (new Set(v.mediaKeys).size !== v.mediaKeys.length) ctx.addIssue({ code: "custom", path: ["mediaKeys"], message: "Each media key once" });
    if (v.audienceUserIds?.length && v.visibility !== "private") {
      ctx.addIssue({ code: "custom", path: ["audienceUserIds"], message: "An audience is only for private stories" });
    }
  });
export const storiesCreateOutput = story;

export const storiesDeleteInput = z.object({ storyId: uuid });
export const storiesDeleteOutput = z.object({ storyId: uuid, deleted: z.literal(true) });

const STORY_VIEWERS_MAX_LIMIT = 100;
export const storiesViewersInput = z.object({
  storyId: uuid,
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(STORY_VIEWERS_MAX_LIMIT).default(20),
});
const storyViewer = z.object({ user: publicProfile, viewedAt: isoDateTime });
export type StoryViewer = z.infer<typeof storyViewer>;
export const storiesViewersOutput = page(storyViewer);

/** My stories posted since `since` (7 days), their views, distinct viewers and reactions by emoji (most used first). */
const storyStats = z.object({
  since: isoDateTime,
  storiesPosted: z.number().int(),
  views: z.number().int(),
  uniqueViewers: z.number().int(),
  reactions: z.array(z.object({ emoji: z.string(), count: z.number().int() })),
});
export type StoryStats = z.infer<typeof storyStats>;
export const storiesStatsOutput = storyStats;

// Drafts of a companion I own (docs/stories.md#drafts).
const STORY_DRAFT_PROMPT_MAX = 500;
const STORY_DRAFT_CAPTION_MAX = 200;

export const storiesDraftForCompanionInput = z.object({
  companionId: uuid,
  /** What the story should be about; without it, the companion picks. */
  prompt: text().trim().min(1).max(STORY_DRAFT_PROMPT_MAX).optional(),
});
export type StoriesDraftForCompanionInput = z.infer<typeof storiesDraftForCompanionInput>;

/** A draft's slides are text until approval renders them as image cards. */
const storyDraft = z.object({
  id: uuid,
  companionId: uuid,
  prompt: z.string().nullable(),
  caption: z.string(),
  slides: z.array(z.object({ title: z.string(), body: z.string() })),
  status: z.enum(["draft", "published", "discarded"]),
  /** The published story (status `published`). */
  storyId: uuid.nullable(),
  createdAt: isoDateTime,
});
export type StoryDraft = z.infer<typeof storyDraft>;
export const storiesDraftForCompanionOutput = storyDraft;

/** `caption`: publish with this caption instead of the draft's. */
export const storiesApproveDraftInput = z.object({
  draftId: uuid,
  caption: text().trim().min(1).max(STORY_DRAFT_CAPTION_MAX).optional(),
});
export type StoriesApproveDraftInput = z.infer<typeof storiesApproveDraftInput>;
export const storiesApproveDraftOutput = storyDraft;

export const storiesDiscardDraftInput = z.object({ draftId: uuid });
export const storiesDiscardDraftOutput = storyDraft;

export const storiesDraftsInput = z.object({
  companionId: uuid.optional(),
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(50).default(20),
});
export type StoriesDraftsInput = z.infer<typeof storiesDraftsInput>;
export const storiesDraftsOutput = page(storyDraft);
