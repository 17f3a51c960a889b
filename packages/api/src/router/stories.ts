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
} from "@companion/db";
import { reactions, storiesCreated, storyViews } from "@companion/metrics";
import {
  storiesApproveDraftInput,
  storiesApproveDraftOutput,
  storiesDiscardDraftInput,
  storiesDiscardDraftOutput,
  storiesDraftForCompanionInput,
  storiesDraftForCompanionOutput,
  storiesDraftsInput,
  storiesDraftsOutput,
  storiesByIdInput,
  storiesByIdOutput,
  storiesCreateInput,
  storiesCreateOutput,
  storiesDeleteInput,
  storiesDeleteOutput,
  storiesFeedInput,
  storiesFeedOutput,
  storiesMarkViewedInput,
  storiesMarkViewedOutput,
  storiesReactInput,
  storiesReactOutput,
  storiesReplyInput,
  storiesReplyOutput,
  storiesStatsOutput,
  storiesUnreactInput,
  storiesUnreactOutput,
  storiesViewersInput,
  storiesViewersOutput,
} from "@companion/validators";
import { counted } from "../counted.ts";
import { rateLimited } from "../rate-limit.ts";
import { replyToStory } from "../services/story-replies.ts";
import { protectedProcedure, router, userProcedure, userScope } from "../trpc.ts";
import {
  toWireStory,
  toWireStoryDraft,
  toWireStoryDraftPage,
  toWireStoryPage,
  toWireStoryReply,
  toWireStoryStats,
  toWireViewerPage,
} from "../wire/stories.ts";

export const storiesRouter = router({
  /**
   * Live stories of companions I am connected with, of people I follow that I may see, and
   * my own; unseen first, then newest; two queries per page (docs/social.md).
   */
  feed: userProcedure
    .input(storiesFeedInput)
    .output(storiesFeedOutput)
    .query(async ({ ctx, input }) => toWireStoryPage(await listStoryFeed(ctx.db, { userId: ctx.user.id, ...input }), ctx.services.media)),

  /** One story in the feed's shape; NOT_FOUND if I may not see it (visibility, not connected, expired, deleted). */
  byId: userProcedure
    .input(storiesByIdInput)
    .output(storiesByIdOutput)
    .query(async ({ ctx, input }) =>
      toWireStory(await getStory(ctx.db, { userId: ctx.user.id, storyId: input.storyId }), ctx.services.media),
    ),

  /**
   * Sets my reaction on a slide (replaces an earlier one); a new reaction on a user's story
   * notifies its author. NOT_FOUND if I may not see the story.
   */
  react: protectedProcedure
    .use(rateLimited("reaction"))
    .use(counted(reactions))
    .use(userScope)
    .input(storiesReactInput)
    .output(storiesReactOutput)
    .mutation(async ({ ctx, input }) => {
      const r = await upsertStoryReaction(ctx.db, { userId: ctx.user.id, ...input });
      if (r.inserted && r.authorUserId && r.authorUserId !== ctx.user.id) {
        await ctx.services.jobs.enqueue(ctx.db, "notifications.story-reaction", { storyId: r.storyId, reactorId: ctx.user.id });
      }
      return { mediaId: r.mediaId, storyId: r.storyId, emoji: input.emoji };
    }),

  /**
   * Replies to a story I may see (docs/stories.md#replying-to-a-story): on a companion's, `chat`
   * (my message in our conversation; its reply streams from `messages.stream`); on a person's,
   * `notified` (its author gets a notification). NOT_FOUND if I may not see it (or it expired);
   * BAD_REQUEST for my own. The same key again: the same message, no second notification.
   * Shares the chat budget with messages.send and start.
   */
  reply: protectedProcedure
    .use(rateLimited("chatMessage"))
    .input(storiesReplyInput)
    .output(storiesReplyOutput)
    .mutation(async ({ ctx, input }) => toWireStoryReply(await replyToStory(ctx.services, ctx.user, input))),

  /** Removes my reaction on a slide; idempotent. */
  unreact: userProcedure
    .input(storiesUnreactInput)
    .output(storiesUnreactOutput)
    .mutation(async ({ ctx, input }) => {
      const r = await deleteStoryReaction(ctx.db, { userId: ctx.user.id, mediaId: input.mediaId });
      return { mediaId: input.mediaId, removed: r.removed };
    }),

  /** Marks a story seen by me; idempotent (one view per viewer). */
  markViewed: protectedProcedure
    .use(counted(storyViews))
    .use(userScope)
    .input(storiesMarkViewedInput)
    .output(storiesMarkViewedOutput)
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
    .input(storiesCreateInput)
    .output(storiesCreateOutput)
    .mutation(async ({ ctx, input }) =>
      toWireStory(await createUserStory(ctx.db, { userId: ctx.user.id, ...input }), ctx.services.media),
    ),

  /** Deletes my live story; anyone else's (or one already gone) is NOT_FOUND. */
  delete: userProcedure
    .input(storiesDeleteInput)
    .output(storiesDeleteOutput)
    .mutation(async ({ ctx, input }) => {
      await deleteUserStory(ctx.db, { userId: ctx.user.id, storyId: input.storyId });
      return { storyId: input.storyId, deleted: true as const };
    }),

  /** Who viewed my story, latest first, keyset-paged; NOT_FOUND unless it is mine. */
  viewers: userProcedure
    .input(storiesViewersInput)
    .output(storiesViewersOutput)
    .query(async ({ ctx, input }) => toWireViewerPage(await listStoryViewers(ctx.db, { userId: ctx.user.id, ...input }))),

  /** My last 7 days as an author: stories posted, views, unique viewers, reactions by emoji. */
  stats: userProcedure.output(storiesStatsOutput).query(async ({ ctx }) => toWireStoryStats(await getMyStoryStats(ctx.db, { userId: ctx.user.id }))),

  /**
   * Asks a companion I own for a story draft (the model, or the offline writer). NOT_FOUND unless
   * the companion is mine; QUOTA_EXCEEDED (429) past STORY_DRAFT_DAILY_QUOTA drafts today (UTC).
   * No transaction is held while the model writes.
   */
  draftForCompanion: protectedProcedure
    .input(storiesDraftForCompanionInput)
    .output(storiesDraftForCompanionOutput)
    .mutation(async ({ ctx, input }) => toWireStoryDraft(await ctx.services.storyDrafts.draftForCompanion(ctx.user.id, input))),

  /**
   * Publishes my draft (with `caption` instead of its own, if given) as the companion's story; its
   * connected people are notified. NOT_FOUND if not my draft; CONFLICT if published or discarded.
   */
  approveDraft: protectedProcedure
    .input(storiesApproveDraftInput)
    .output(storiesApproveDraftOutput)
    .mutation(async ({ ctx, input }) => toWireStoryDraft(await ctx.services.storyDrafts.approveDraft(ctx.user.id, input))),

  /** Discards my draft (again: no change). NOT_FOUND if not mine; CONFLICT if published. */
  discardDraft: protectedProcedure
    .input(storiesDiscardDraftInput)
    .output(storiesDiscardDraftOutput)
    .mutation(async ({ ctx, input }) => toWireStoryDraft(await ctx.services.storyDrafts.discardDraft(ctx.user.id, input.draftId))),

  /** My drafts, newest first, keyset-paged; `companionId` narrows to one companion. */
  drafts: protectedProcedure
    .input(storiesDraftsInput)
    .output(storiesDraftsOutput)
    .query(async ({ ctx, input }) => toWireStoryDraftPage(await ctx.services.storyDrafts.list(ctx.user.id, input))),
});
