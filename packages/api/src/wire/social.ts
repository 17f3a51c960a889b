import type { FollowEdgeRecord } from "@companion/db";
import type { FollowEdge } from "@companion/validators";

export const toWireEdge = (e: FollowEdgeRecord): FollowEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  followedAt: e.followedAt.toISOString(),
});
