import { z } from "zod";
import { cursor, isoDateTime, page, uuid } from "./common.ts";

/** What anyone signed in may see of a user. Never their email. */
export const publicProfile = z.object({
  id: uuid,
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});
export type PublicProfile = z.infer<typeof publicProfile>;

export const followInput = z.object({ userId: uuid });
export type FollowInput = z.infer<typeof followInput>;
export const followResult = z.object({ userId: uuid, following: z.boolean() });
export type FollowResult = z.infer<typeof followResult>;

export const FOLLOW_PAGE_MAX_LIMIT = 100;

/** `userId` defaults to me. */
export const followListInput = z.object({
  userId: uuid.optional(),
  cursor: cursor.optional(),
  limit: z.number().int().min(1).max(FOLLOW_PAGE_MAX_LIMIT).default(20),
});
export type FollowListInput = z.infer<typeof followListInput>;

/** The other end of a follow (the follower in `followers`, the followee in `following`), latest first. */
export const followEdge = z.object({ user: publicProfile, followedAt: isoDateTime });
export type FollowEdge = z.infer<typeof followEdge>;
export const followPage = page(followEdge);
export type FollowPage = z.infer<typeof followPage>;
