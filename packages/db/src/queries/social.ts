import { and, desc, eq, sql } from "drizzle-orm";
import { DomainError, notFound } from "../errors.ts";
import { decodeCursor, encodeCursor, toPage, type Page } from "../pagination.ts";
import { follows } from "../schema/index.ts";
import type { Database } from "../types.ts";

/**
 * The follow graph (docs/social.md). Following is one-way; two people who follow each other
 * are "friends" for story visibility. The graph is readable by every signed-in user (RLS,
 * drizzle/0004_social_visibility.sql); only the follower writes a follow.
 */

/** What anyone signed in may know about a user. Never their email. */
export interface PublicProfile {
  id: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface FollowEdgeRecord {
  /** The other end: the follower in `followers`, the followee in `following`. */
  user: PublicProfile;
  followedAt: Date;
}

/**
 * Public profiles of these users, in one statement, through the SECURITY DEFINER
 * `user_public_profile` (RLS shows request code no other user's `users` row). Unknown ids
 * are simply missing from the result.
 */
export async function getPublicProfiles(db: Database, userIds: readonly string[]): Promise<PublicProfile[]> {
  if (userIds.length === 0) return [];
  return db
    .select({ id: sql<string>`p.id`, displayName: sql<string>`p.display_name`, avatarUrl: sql<string | null>`p.avatar_url` })
    .from(sql`unnest(${sql.param([...new Set(userIds)])}::uuid[]) as wanted(id)`)
    .crossJoinLateral(sql`user_public_profile(wanted.id) as p`);
}

async function assertUserExists(db: Database, userId: string): Promise<void> {
  const [profile] = await getPublicProfiles(db, [userId]);
  if (!profile) throw notFound("User");
}

const notSelf = (userId: string, targetId: string) => {
  if (userId === targetId) throw new DomainError("BAD_REQUEST", "You cannot follow yourself", { field: "userId" });
};

/**
 * Follows `targetId`; idempotent (UPSERT, the first follow time is kept; `created` says whether
 * this call made the follow). Unknown user: NOT_FOUND; myself: BAD_REQUEST.
 */
export async function followUser(db: Database, params: { userId: string; targetId: string }): Promise<{ following: true; created: boolean }> {
  notSelf(params.userId, params.targetId);
  await assertUserExists(db, params.targetId);
  const rows = await db
    .insert(follows)
    .values({ followerId: params.userId, followeeId: params.targetId })
    .onConflictDoNothing()
    .returning({ followeeId: follows.followeeId });
  return { following: true, created: rows.length > 0 };
}

/** Stops following `targetId`; idempotent (`removed` says whether there was a follow). */
export async function unfollowUser(db: Database, params: { userId: string; targetId: string }): Promise<{ removed: boolean }> {
  notSelf(params.userId, params.targetId);
  const rows = await db
    .delete(follows)
    .where(and(eq(follows.followerId, params.userId), eq(follows.followeeId, params.targetId)))
    .returning({ followeeId: follows.followeeId });
  return { removed: rows.length > 0 };
}

/**
 * Who follows `subjectId`, or whom it follows, latest first, keyset-paged on (created_at, other
 * user's id) through follows_*_page_idx. Unknown subject: NOT_FOUND, checked on an empty page only.
 */
export async function listFollowEdges(
  db: Database,
  params: { subjectId: string; direction: "followers" | "following"; cursor?: string | undefined; limit: number },
): Promise<Page<FollowEdgeRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const [subject, other] = params.direction === "followers" ? [follows.followeeId, follows.followerId] : [follows.followerId, follows.followeeId];
  const rows = await db
    .select({
      id: other,
      followedAt: follows.createdAt,
      displayName: sql<string>`p.display_name`,
      avatarUrl: sql<string | null>`p.avatar_url`,
    })
    .from(follows)
    .crossJoinLateral(sql`user_public_profile(${other}) as p`)
    .where(
      and(
        eq(subject, params.subjectId),
        after ? sql`(${follows.createdAt}, ${other}) < (${sql.param(after.createdAt, follows.createdAt)}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(follows.createdAt), desc(other))
    .limit(params.limit + 1);
  if (rows.length === 0) await assertUserExists(db, params.subjectId);
  const page = toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.followedAt, id: last.id }));
  return {
    items: page.items.map((r) => ({ user: { id: r.id, displayName: r.displayName, avatarUrl: r.avatarUrl }, followedAt: r.followedAt })),
    nextCursor: page.nextCursor,
  };
}
