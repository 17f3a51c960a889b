import type { StoryDraftRecord, StoryRecord, StoryStats as DbStoryStats, StoryViewerRecord } from "@companion/db";
import type { Story, StoryDraft, StoriesFeedOutput, StoriesReplyOutput, StoryStats, StoryViewer } from "@companion/validators";
import type { MediaService } from "../services/media.ts";
import type { StoryReply } from "../services/story-replies.ts";
import { toWireChatMessage } from "./messages.ts";

type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * Field by field, so a column added to the query result never reaches the wire unnoticed.
 * Slide URLs come from the media service: plain for media shipped with the server, signed
 * per the story's audience for uploads (docs/media.md#read-urls).
 */
export async function toWireStory(s: StoryRecord, media: MediaService): Promise<Story> {
  return wireStory(s, await Promise.all(s.slides.map(async (m) => media.slideUrl(s, m.mediaKey))), 0);
}

/** `s` with its slides' URLs, which start at `urls[first]`. */
function wireStory(s: StoryRecord, urls: readonly string[], first: number): Story {
  return {
    id: s.id,
    caption: s.caption,
    visibility: s.visibility,
    createdAt: s.createdAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    seen: s.seen,
    author: { kind: s.author.kind, id: s.author.id, name: s.author.name, avatarUrl: s.author.avatarUrl },
    slides: s.slides.map((m, i) => ({
      id: m.id,
      sortOrder: m.sortOrder,
      kind: m.kind,
      url: urls[first + i] ?? "",
      width: m.width,
      height: m.height,
      durationMs: m.durationMs,
      myReaction: m.myReaction,
    })),
  };
}

const toWireViewer = (v: StoryViewerRecord): StoryViewer => ({
  user: { id: v.user.id, displayName: v.user.displayName, avatarUrl: v.user.avatarUrl },
  viewedAt: v.viewedAt.toISOString(),
});

/** Every slide URL of the page in one batch, then the stories (no promise per story). */
export async function toWireStoryPage(page: Page<StoryRecord>, media: MediaService): Promise<StoriesFeedOutput> {
  const pending = page.items.flatMap((s) => s.slides.map((m) => media.slideUrl(s, m.mediaKey)));
  const urls = pending.every((u) => typeof u === "string") ? pending : await Promise.all(pending.map(async (u) => u));
  let first = 0;
  const items = page.items.map((s) => {
    const story = wireStory(s, urls, first);
    first += s.slides.length;
    return story;
  });
  return { items, nextCursor: page.nextCursor };
}

export const toWireViewerPage = (page: Page<StoryViewerRecord>): Page<StoryViewer> => ({ items: page.items.map(toWireViewer), nextCursor: page.nextCursor });

export const toWireStoryStats = (s: DbStoryStats): StoryStats => ({
  since: s.since.toISOString(),
  storiesPosted: s.storiesPosted,
  views: s.views,
  uniqueViewers: s.uniqueViewers,
  reactions: s.reactions.map((r) => ({ emoji: r.emoji, count: r.count })),
});

/** A draft's slides go out as text (their palette is a rendering detail, chosen at draft time). */
export const toWireStoryDraft = (d: StoryDraftRecord): StoryDraft => ({
  id: d.id,
  companionId: d.companionId,
  prompt: d.prompt,
  caption: d.caption,
  slides: d.slides.map((s) => ({ title: s.title, body: s.body })),
  status: d.status,
  storyId: d.storyId,
  createdAt: d.createdAt.toISOString(),
});

export const toWireStoryDraftPage = (page: Page<StoryDraftRecord>): Page<StoryDraft> => ({ items: page.items.map(toWireStoryDraft), nextCursor: page.nextCursor });

export const toWireStoryReply = (r: StoryReply): StoriesReplyOutput =>
  r.kind === "notified"
    ? { kind: "notified", storyId: r.storyId }
    : { kind: "chat", userMessage: toWireChatMessage(r.userMessage), streamTicket: { ticket: r.streamTicket.ticket, expiresAt: r.streamTicket.expiresAt.toISOString() } };
