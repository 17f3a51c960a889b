import type { BlockedUserRecord, FollowEdgeRecord, UserProfileRecord } from "@companion/db";
import type { BlockedEdge, FollowEdge, UserProfile } from "@companion/validators";
import type { MediaService } from "../services/media.ts";

export const toWireEdge = (e: FollowEdgeRecord): FollowEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  followedAt: e.followedAt.toISOString(),
});

export const toWireBlockedEdge = (e: BlockedUserRecord): BlockedEdge => ({
  user: { id: e.user.id, displayName: e.user.displayName, avatarUrl: e.user.avatarUrl },
  since: e.since.toISOString(),
});

/** social.profile. The avatar as auth.me builds mine: an uploaded one (`avatarKey`) signed, else the plain `avatarUrl`. */
export const toWireUserProfile = async (p: UserProfileRecord, userId: string, media: MediaService): Promise<UserProfile> => ({
  id: p.id,
  displayName: p.displayName,
  avatarUrl: p.avatarKey ? await media.userAvatarUrl(p.avatarKey) : p.avatarUrl,
  followerCount: p.followerCount,
  followingCount: p.followingCount,
  isMe: p.id === userId,
  followedByMe: p.followedByMe,
  followsMe: p.followsMe,
  blockedByMe: p.blockedByMe,
  mutedByMe: p.mutedByMe,
});
