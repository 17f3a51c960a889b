import { blockUser, followUser, getUserProfile, listBlockedOrMuted, listFollowEdges, muteUser, unblockUser, unfollowUser, unmuteUser, type Database } from "@companion/db";
import {
  socialBlockedInput,
  socialBlockedOutput,
  socialBlockInput,
  socialBlockOutput,
  socialMutedInput,
  socialMutedOutput,
  socialMuteInput,
  socialMuteOutput,
  socialUnblockInput,
  socialUnblockOutput,
  socialUnmuteInput,
  socialUnmuteOutput,
  socialFollowersInput,
  socialFollowersOutput,
  socialFollowingInput,
  socialFollowingOutput,
  socialFollowInput,
  socialFollowOutput,
  socialUnfollowInput,
  socialUnfollowOutput,
  socialProfileInput,
  socialProfileOutput,
  type SocialFollowersInput,
} from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireBlockedEdge, toWireEdge, toWireUserProfile } from "../wire/social.ts";

const listEdges = async (db: Database, userId: string, input: SocialFollowersInput, direction: "followers" | "following") => {
  const page = await listFollowEdges(db, { subjectId: input.userId ?? userId, direction, cursor: input.cursor, limit: input.limit });
  return { items: page.items.map(toWireEdge), nextCursor: page.nextCursor };
};

/** The follow graph: one-way follows; mutual follows make "friends" for story visibility (docs/social.md). */
export const socialRouter = router({
  /** Follows a user (a new follow notifies them); idempotent. Myself: BAD_REQUEST; an unknown user: NOT_FOUND. */
  follow: userProcedure
    .input(socialFollowInput)
    .output(socialFollowOutput)
    .mutation(async ({ ctx, input }) => {
      const { created } = await followUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      if (created) await ctx.services.jobs.enqueue(ctx.db, "notifications.follow", { followerId: ctx.user.id, followeeId: input.userId });
      return { userId: input.userId, following: true };
    }),

  /** Stops following a user; idempotent. */
  unfollow: userProcedure
    .input(socialUnfollowInput)
    .output(socialUnfollowOutput)
    .mutation(async ({ ctx, input }) => {
      await unfollowUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      return { userId: input.userId, following: false };
    }),

  /**
   * A person's profile page (docs/social.md#profiles): name, avatar, follow counts, and whether we
   * follow, I blocked or muted them. Someone who blocked me, a disabled account or an unknown id:
   * NOT_FOUND, all alike. My own id works (the states are then false).
   */
  profile: userProcedure
    .input(socialProfileInput)
    .output(socialProfileOutput)
    .query(async ({ ctx, input }) =>
      toWireUserProfile(await getUserProfile(ctx.db, { userId: ctx.user.id, targetId: input.userId }), ctx.user.id, ctx.services.media),
    ),

  /** Who follows `userId` (default: me), latest first, keyset-paged. */
  followers: userProcedure
    .input(socialFollowersInput)
    .output(socialFollowersOutput)
    .query(({ ctx, input }) => listEdges(ctx.db, ctx.user.id, input, "followers")),

  /** Whom `userId` (default: me) follows, latest first, keyset-paged. */
  following: userProcedure
    .input(socialFollowingInput)
    .output(socialFollowingOutput)
    .query(({ ctx, input }) => listEdges(ctx.db, ctx.user.id, input, "following")),

  /**
   * Blocks a user (docs/social.md#blocks): neither sees the other's stories, views or reactions,
   * neither can follow the other; follows both ways are removed. Idempotent; they are not told.
   */
  block: userProcedure
    .input(socialBlockInput)
    .output(socialBlockOutput)
    .mutation(async ({ ctx, input }) => {
      await blockUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      return { userId: input.userId, blocked: true };
    }),

  /** Lifts my block; idempotent. Follows removed by the block are not restored. */
  unblock: userProcedure
    .input(socialUnblockInput)
    .output(socialUnblockOutput)
    .mutation(async ({ ctx, input }) => {
      await unblockUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      return { userId: input.userId, blocked: false };
    }),

  /** Whom I blocked, latest first, keyset-paged. */
  blocked: userProcedure
    .input(socialBlockedInput)
    .output(socialBlockedOutput)
    .query(async ({ ctx, input }) => {
      const page = await listBlockedOrMuted(ctx.db, { userId: ctx.user.id, kind: "blocks", ...input });
      return { items: page.items.map(toWireBlockedEdge), nextCursor: page.nextCursor };
    }),

  /** Mutes a user: their stories leave my feed, silently (they still see mine). Idempotent. */
  mute: userProcedure
    .input(socialMuteInput)
    .output(socialMuteOutput)
    .mutation(async ({ ctx, input }) => {
      await muteUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      return { userId: input.userId, muted: true };
    }),

  /** Lifts my mute; idempotent. */
  unmute: userProcedure
    .input(socialUnmuteInput)
    .output(socialUnmuteOutput)
    .mutation(async ({ ctx, input }) => {
      await unmuteUser(ctx.db, { userId: ctx.user.id, targetId: input.userId });
      return { userId: input.userId, muted: false };
    }),

  /** Whom I muted, latest first, keyset-paged. */
  muted: userProcedure
    .input(socialMutedInput)
    .output(socialMutedOutput)
    .query(async ({ ctx, input }) => {
      const page = await listBlockedOrMuted(ctx.db, { userId: ctx.user.id, kind: "mutes", ...input });
      return { items: page.items.map(toWireBlockedEdge), nextCursor: page.nextCursor };
    }),
});
