import {
  createUserStory,
  deleteStoryReaction,
  deleteUserStory,
  getMyStoryStats,
  getStory,
  listStoryFeed,
  listStoryViewers,
  markStoryViewed,
  upsertStoryReaction,
  type StoryRecord,
  type StoryViewerRecord,
} from "@companion/db";
import { reactions, storiesCreated, storyViews } from "@companion/metrics";
import {
  story,
  storyByIdInput,
  storyCreateInput,
  storyDeleteInput,
  storyDeleteResult,
  storyFeedInput,
  storyFeedPage,
  storyMarkViewedInput,
  storyMarkViewedResult,
  storyReactInput,
  storyReaction,
  storyStats,
  storyUnreactInput,
  storyUnreactResult,
  storyViewersInput,
  storyViewersPage,
  type Story,
  type StoryViewer,
} from "@companion/validators";
import { counted } from "../counted.ts";
import { rateLimited } from "../rate-limit.ts";
import type { MediaService } from "../services/media.ts";
import { protectedProcedure, router, userProcedure, userScope } from "../trpc.ts";

/**
 * Field by field, so a column added to the query result never reaches the wire unnoticed.
 * Slide URLs come from the media service: plain for media shipped with the server, signed
 * per the story's audience for uploads (docs/media.md#read-urls).
 */
async function toWireStory(s: StoryRecord, media: MediaService): Promise<Story> {
  const urls = await Promise.all(s.slides.map((m) => media.slideUrl(s, m.mediaKey)));
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
      url: urls[i] ?? "",
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

export const storiesRouter = router({
  /**
   * Live stories of companions I am connected with, of people I follow that I may see, and
   * my own; unseen first, then newest; two queries per page (docs/social.md).
   */
  feed: userProcedure
    .input(storyFeedInput)
    .output(storyFeedPage)
    .query(async ({ ctx, input }) => {
      const page = await listStoryFeed(ctx.db, { userId: ctx.user.id, ...input });
      return { items: await Promise.all(page.items.map((s) => toWireStory(s, ctx.services.media))), nextCursor: page.nextCursor };
    }),

  /** One story in the feed's shape; NOT_FOUND if I may not see it (visibility, not connected, expired, deleted). */
  byId: userProcedure
    .input(storyByIdInput)
    .output(story)
    .query(async ({ ctx, input }) =>
      toWireStory(await getStory(ctx.db, { userId: ctx.user.id, storyId: input.storyId }), ctx.services.media),
    ),

  /** Sets my reaction on a slide (replaces an earlier one); NOT_FOUND if I may not see the story. */
  react: protectedProcedure
    .use(rateLimited("reaction"))
    .use(counted(reactions))
    .use(userScope)
    .input(storyReactInput)
    .output(storyReaction)
    .mutation(async ({ ctx, input }) => {
      const r = await upsertStoryReaction(ctx.db, { userId: ctx.user.id, ...input });
      return { mediaId: r.mediaId, storyId: r.storyId, emoji: input.emoji };
    }),

  /** Removes my reaction on a slide; idempotent. */
  unreact: userProcedure
    .input(storyUnreactInput)
    .output(storyUnreactResult)
    .mutation(async ({ ctx, input }) => {
      const r = await deleteStoryReaction(ctx.db, { userId: ctx.user.id, mediaId: input.mediaId });
      return { mediaId: input.mediaId, removed: r.removed };
    }),

  /** Marks a story seen by me; idempotent (one view per viewer). */
  markViewed: protectedProcedure
    .use(counted(storyViews))
    .use(userScope)
    .input(storyMarkViewedInput)
    .output(storyMarkViewedResult)
    .mutation(async ({ ctx, input }) => {
      await markStoryViewed(ctx.db, { userId: ctx.user.id, storyId: input.storyId });
      return { storyId: input.storyId, seen: true as const };
    }),

  /**
   * Posts my story from my uploaded media (docs/social.md); expires after 24 hours.
   * Rate-limited per user (storyCreate, 20/min by default).
   */
  create: protectedProcedure
    .use(rateLimited("storyCreate"))
    .use(counted(storiesCreated))
    .use(userScope)
    .input(storyCreateInput)
    .output(story)
    .mutation(async ({ ctx, input }) =>
      toWireStory(await createUserStory(ctx.db, { userId: ctx.user.id, ...input }), ctx.services.media),
    ),

  /** Deletes my live story; anyone else's (or one already gone) is NOT_FOUND. */
  delete: userProcedure
    .input(storyDeleteInput)
    .output(storyDeleteResult)
    .mutation(async ({ ctx, input }) => {
      await deleteUserStory(ctx.db, { userId: ctx.user.id, storyId: input.storyId });
      return { storyId: input.storyId, deleted: true as const };
    }),

  /** Who viewed my story, latest first, keyset-paged; NOT_FOUND unless it is mine. */
  viewers: userProcedure
    .input(storyViewersInput)
    .output(storyViewersPage)
    .query(async ({ ctx, input }) => {
      const page = await listStoryViewers(ctx.db, { userId: ctx.user.id, ...input });
      return { items: page.items.map(toWireViewer), nextCursor: page.nextCursor };
    }),

  /** My last 7 days as an author: stories posted, views, unique viewers, reactions by emoji. */
  stats: userProcedure.output(storyStats).query(async ({ ctx }) => {
    const s = await getMyStoryStats(ctx.db, { userId: ctx.user.id });
    return {
      since: s.since.toISOString(),
      storiesPosted: s.storiesPosted,
      views: s.views,
      uniqueViewers: s.uniqueViewers,
      reactions: s.reactions.map((r) => ({ emoji: r.emoji, count: r.count })),
    };
  }),
});
