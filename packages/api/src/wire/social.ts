import type { BlockedUserRecord, FollowEdgeRecord } from "@companion/db";
import type { BlockedEdge, FollowEdge } from "@companion/validators";

export const toWireEdge = (e: FollowEdgeRecord): FollowEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  followedAt: e.followedAt.toISOString(),
});

export const toWireBlockedEdge = (e: BlockedUserRecord): BlockedEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  since: e.since.toISOString(),
});
