import { z } from "zod";
import { cursor, isoDateTime, page, uuid } from "./common.ts";

/** What anyone signed in may see of a user. Never their email. */
export const publicProfile = z.object({
  id: uuid,
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});

const userRef = z.object({ userId: uuid });
const followState = z.object({ userId: uuid, following: z.boolean() });
export const socialFollowInput = userRef;
export const socialFollowOutput = followState;
export const socialUnfollowInput = userRef;
export const socialUnfollowOutput = followState;

const FOLLOW_PAGE_MAX_LIMIT = 100;

/** `userId` defaults to me. */
const followListInput = z.object({
  userId: uuid.optional(),
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(FOLLOW_PAGE_MAX_LIMIT).default(20),
});
export const socialFollowersInput = followListInput;
export const socialFollowingInput = followListInput;
export type SocialFollowersInput = z.infer<typeof socialFollowersInput>;

/** The other end of a follow (the follower in `followers`, the followee in `following`), latest first. */
const followEdge = z.object({ user: publicProfile, followedAt: isoDateTime });
export type FollowEdge = z.infer<typeof followEdge>;
export const socialFollowersOutput = page(followEdge);
export const socialFollowingOutput = socialFollowersOutput;

/** Blocks and mutes (docs/social.md#blocks): the other person's id in, their id and my state out. */
export const socialBlockInput = userRef;
export const socialBlockOutput = z.object({ userId: uuid, blocked: z.boolean() });
export const socialUnblockInput = userRef;
export const socialUnblockOutput = socialBlockOutput;
export const socialMuteInput = userRef;
export const socialMuteOutput = z.object({ userId: uuid, muted: z.boolean() });
export const socialUnmuteInput = userRef;
export const socialUnmuteOutput = socialMuteOutput;

/** My blocks or mutes, latest first. */
export const socialBlockedInput = z.object({
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(FOLLOW_PAGE_MAX_LIMIT).default(20),
});
export const socialMutedInput = socialBlockedInput;
const blockedEdge = z.object({ user: publicProfile, since: isoDateTime });
export type BlockedEdge = z.infer<typeof blockedEdge>;
export const socialBlockedOutput = page(blockedEdge);
export const socialMutedOutput = socialBlockedOutput;

/**
 * One person's profile page (social.profile): their public profile, how many follow them and whom
 * they follow, and where I stand with them. Never their email.
 */
const userProfile = publicProfile.extend({
  followerCount: z.number().int().min(0),
  followingCount: z.number().int().min(0),
  /** My own profile: the four states below are then all false. */
  isMe: z.boolean(),
  followedByMe: z.boolean(),
  followsMe: z.boolean(),
  blockedByMe: z.boolean(),
  mutedByMe: z.boolean(),
});
export type UserProfile = z.infer<typeof userProfile>;
export const socialProfileInput = userRef;
export const socialProfileOutput = userProfile;
