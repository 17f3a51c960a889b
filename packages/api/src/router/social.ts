import { followUser, listFollowEdges, unfollowUser, withUser, type Database, type FollowEdgeRecord } from "@companion/db";
import { followInput, followListInput, followPage, followResult, type FollowEdge, type FollowListInput } from "@companion/validators";
import { protectedProcedure, router } from "../trpc.ts";

const toWireEdge = (e: FollowEdgeRecord): FollowEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  followedAt: e.followedAt.toISOString(),
});

const listEdges = async (db: Database, userId: string, input: FollowListInput, direction: "followers" | "following") => {
  const page = await withUser(db, userId, (tx) =>
    listFollowEdges(tx, { subjectId: input.userId ?? userId, direction, cursor: input.cursor, limit: input.limit }),
  );
  return { items: page.items.map(toWireEdge), nextCursor: page.nextCursor };
};

/** The follow graph: one-way follows; mutual follows make "friends" for story visibility (docs/social.md). */
export const socialRouter = router({
  /** Follows a user; idempotent. Myself: BAD_REQUEST; an unknown user: NOT_FOUND. */
  follow: protectedProcedure
    .input(followInput)
    .output(followResult)
    .mutation(async ({ ctx, input }) => {
      await withUser(ctx.services.db, ctx.user.id, (tx) => followUser(tx, { userId: ctx.user.id, targetId: input.userId }));
      return { userId: input.userId, following: true };
    }),

  /** Stops following a user; idempotent. */
  unfollow: protectedProcedure
    .input(followInput)
    .output(followResult)
    .mutation(async ({ ctx, input }) => {
      await withUser(ctx.services.db, ctx.user.id, (tx) => unfollowUser(tx, { userId: ctx.user.id, targetId: input.userId }));
      return { userId: input.userId, following: false };
    }),

  /** Who follows `userId` (default: me), latest first, keyset-paged. */
  followers: protectedProcedure
    .input(followListInput)
    .output(followPage)
    .query(({ ctx, input }) => listEdges(ctx.services.db, ctx.user.id, input, "followers")),

  /** Whom `userId` (default: me) follows, latest first, keyset-paged. */
  following: protectedProcedure
    .input(followListInput)
    .output(followPage)
    .query(({ ctx, input }) => listEdges(ctx.services.db, ctx.user.id, input, "following")),
});
