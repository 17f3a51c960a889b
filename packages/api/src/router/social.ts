import { followUser, listFollowEdges, unfollowUser, type Database } from "@companion/db";
import {
  socialFollowersInput,
  socialFollowersOutput,
  socialFollowingInput,
  socialFollowingOutput,
  socialFollowInput,
  socialFollowOutput,
  socialUnfollowInput,
  socialUnfollowOutput,
  type SocialFollowersInput,
} from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireEdge } from "../wire/social.ts";

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
});
