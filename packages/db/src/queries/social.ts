import { and, desc, eq, or, sql } from "drizzle-orm";
import { DomainError, notFound } from "../errors.ts";
import { decodeCursor, encodeCursor, toPage, type Page } from "../pagination.ts";
import { rowsOf } from "../raw-sql.ts";
import { blocks, follows, mutes } from "../schema/index.ts";
import { inTransaction } from "../transaction.ts";
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

const notSelf = (userId: string, targetId: string, verb = "follow") => {
  if (userId === targetId) throw new DomainError("BAD_REQUEST", `You cannot ${verb} yourself`, { field: "userId" });
};

/**
 * Whether the signed-in user and `otherId` are block peers (either blocked the other). Through
 * RLS's SECURITY DEFINER `my_block_peer_ids()`: `blocks` shows request code only its own blocks.
 * Answers for `app.current_user_id`, so only inside `withUser`.
 */
async function isBlockPeer(db: Database, otherId: string): Promise<boolean> {
  return rowsOf(await db.execute(sql`select 1 as one where ${otherId}::uuid in (select my_block_peer_ids())`)).length > 0;
}

/**
 * Follows `targetId`; idempotent (UPSERT, the first follow time is kept; `created` says whether
 * this call made the follow). Unknown user, or one I blocked or who blocked me: NOT_FOUND; myself: BAD_REQUEST.
 */
export async function followUser(db: Database, params: { userId: string; targetId: string }): Promise<{ following: true; created: boolean }> {
  notSelf(params.userId, params.targetId);
  await assertUserExists(db, params.targetId);
  if (await isBlockPeer(db, params.targetId)) throw notFound("User");
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

/**
 * Blocks `targetId` (docs/social.md#blocks); idempotent. In one transaction: the block, and the
 * follows in both directions removed (RLS lets me delete a block peer's follow of me once the
 * block row exists). Unknown user: NOT_FOUND; myself: BAD_REQUEST.
 */
export async function blockUser(db: Database, params: { userId: string; targetId: string }): Promise<{ created: boolean }> {
  notSelf(params.userId, params.targetId, "block");
  await assertUserExists(db, params.targetId);
  return inTransaction(db, async (tx) => {
    const rows = await tx
      .insert(blocks)
      .values({ blockerId: params.userId, blockedId: params.targetId })
      .onConflictDoNothing()
      .returning({ blockedId: blocks.blockedId });
    await tx
      .delete(follows)
      .where(
        or(
          and(eq(follows.followerId, params.userId), eq(follows.followeeId, params.targetId)),
          and(eq(follows.followerId, params.targetId), eq(follows.followeeId, params.userId)),
        ),
      );
    return { created: rows.length > 0 };
  });
}

/** Lifts my block of `targetId`; idempotent. Follows removed by the block stay removed. */
export async function unblockUser(db: Database, params: { userId: string; targetId: string }): Promise<{ removed: boolean }> {
  const rows = await db
    .delete(blocks)
    .where(and(eq(blocks.blockerId, params.userId), eq(blocks.blockedId, params.targetId)))
    .returning({ blockedId: blocks.blockedId });
  return { removed: rows.length > 0 };
}

/** Mutes `targetId`: their stories leave my feed, silently (they are not told). Idempotent. */
export async function muteUser(db: Database, params: { userId: string; targetId: string }): Promise<{ created: boolean }> {
  notSelf(params.userId, params.targetId, "mute");
  await assertUserExists(db, params.targetId);
  const rows = await db
    .insert(mutes)
    .values({ muterId: params.userId, mutedId: params.targetId })
    .onConflictDoNothing()
    .returning({ mutedId: mutes.mutedId });
  return { created: rows.length > 0 };
}

/** Lifts my mute of `targetId`; idempotent. */
export async function unmuteUser(db: Database, params: { userId: string; targetId: string }): Promise<{ removed: boolean }> {
  const rows = await db
    .delete(mutes)
    .where(and(eq(mutes.muterId, params.userId), eq(mutes.mutedId, params.targetId)))
    .returning({ mutedId: mutes.mutedId });
  return { removed: rows.length > 0 };
}

export interface BlockedUserRecord {
  user: PublicProfile;
  since: Date;
}

/**
 * Whom I blocked (`blocks`) or muted (`mutes`), latest first, keyset-paged on (created_at, their id)
 * through blocks_blocker_page_idx / mutes_muter_page_idx.
 */
export async function listBlockedOrMuted(
  db: Database,
  params: { userId: string; kind: "blocks" | "mutes"; cursor?: string | undefined; limit: number },
): Promise<Page<BlockedUserRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const t =
    params.kind === "blocks"
      ? { table: blocks, owner: blocks.blockerId, other: blocks.blockedId, createdAt: blocks.createdAt }
      : { table: mutes, owner: mutes.muterId, other: mutes.mutedId, createdAt: mutes.createdAt };
  const rows = await db
    .select({
      id: t.other,
      since: t.createdAt,
      displayName: sql<string>`p.display_name`,
      avatarUrl: sql<string | null>`p.avatar_url`,
    })
    .from(t.table)
    .crossJoinLateral(sql`user_public_profile(${t.other}) as p`)
    .where(
      and(
        eq(t.owner, params.userId),
        after ? sql`(${t.createdAt}, ${t.other}) < (${sql.param(after.createdAt, t.createdAt)}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.other))
    .limit(params.limit + 1);
  const page = toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.since, id: last.id }));
  return {
    items: page.items.map((r) => ({ user: { id: r.id, displayName: r.displayName, avatarUrl: r.avatarUrl }, since: r.since })),
    nextCursor: page.nextCursor,
  };
}

/** A person's profile page (social.profile): who they are, their counts, where I stand with them. */
export interface UserProfileRecord extends PublicProfile {
  /** An uploaded avatar's media key; the API signs it into the wire `avatarUrl` (it wins over `avatarUrl`). */
  avatarKey: string | null;
  followerCount: number;
  followingCount: number;
  followedByMe: boolean;
  followsMe: boolean;
  blockedByMe: boolean;
  mutedByMe: boolean;
}

/**
 * `targetId`'s profile as I (`userId`) see it, in one statement: the card comes from the SECURITY
 * DEFINER `user_profile_card` (drizzle/0019_user_profile.sql), which answers nothing for a
 * disabled account or for someone who blocked me, so those are NOT_FOUND like an unknown id.
 * The counts read `follows` (public to signed-in users) through its two page indexes; my block
 * and mute are my own rows. Answers for `app.current_user_id`, so only inside `withUser`.
 */
export async function getUserProfile(db: Database, params: { userId: string; targetId: string }): Promise<UserProfileRecord> {
  const me = sql`${params.userId}::uuid`;
  const [row] = await db
    .select({
      id: sql<string>`p.id`,
      displayName: sql<string>`p.display_name`,
      avatarUrl: sql<string | null>`p.avatar_url`,
      avatarKey: sql<string | null>`p.avatar_key`,
      followerCount: sql<number>`(select count(*) from ${follows} f where f.followee_id = p.id)::int`,
      followingCount: sql<number>`(select count(*) from ${follows} f where f.follower_id = p.id)::int`,
      followedByMe: sql<boolean>`exists (select 1 from ${follows} f where f.follower_id = ${me} and f.followee_id = p.id)`,
      followsMe: sql<boolean>`exists (select 1 from ${follows} f where f.follower_id = p.id and f.followee_id = ${me})`,
      blockedByMe: sql<boolean>`exists (select 1 from ${blocks} b where b.blocker_id = ${me} and b.blocked_id = p.id)`,
      mutedByMe: sql<boolean>`exists (select 1 from ${mutes} m where m.muter_id = ${me} and m.muted_id = p.id)`,
    })
    .from(sql`user_profile_card(${params.targetId}::uuid) as p`);
  if (!row) throw notFound("User");
  return row;
}
