/**
 * Operator actions on accounts (`pnpm admin user:disable`, `sessions:revoke`, …): plain functions of a
 * database, as the CLI has no JWT keys. A revoked session's access tokens are refused by every server as soon as
 * the revocation commits (session_revocations, docs/auth.md#revocation).
 */
import { findUser, notFound, refreshTokens, setUserDisabled, type Database, type UserRef, type UserSummary } from "@companion/db";
import { and, desc, eq, gt, max, min, sql } from "drizzle-orm";
import { revokeUserSessions } from "./refresh-tokens.ts";

export interface AccountChange {
  user: UserSummary;
  /** Sessions (refresh-token families) that were live and are now revoked. */
  revokedSessions: number;
}

/** Login and refresh are refused from now on, and every session is revoked in the same transaction. */
export async function disableUser(db: Database, ref: UserRef, now: Date = new Date()): Promise<AccountChange> {
  return db.transaction(async (tx) => {
    const { id } = await findUser(tx, ref);
    const user = await setUserDisabled(tx, id, now);
    return { user, revokedSessions: await revokeUserSessions(tx, id, { now }) };
  });
}

/** Allows login again; the sessions revoked on disabling stay revoked. */
export async function enableUser(db: Database, ref: UserRef): Promise<UserSummary> {
  const { id } = await findUser(db, ref);
  return setUserDisabled(db, id, null);
}

/** Revokes all of a user's sessions, or only `sessionId`; NOT_FOUND for a session that is not the user's. */
export async function revokeSessions(db: Database, ref: UserRef, options: { sessionId?: string; now?: Date } = {}): Promise<AccountChange> {
  const user = await findUser(db, ref);
  const now = options.now ?? new Date();
  if (options.sessionId === undefined) return { user, revokedSessions: await revokeUserSessions(db, user.id, { now }) };
  const [known] = await db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.userId, user.id), eq(refreshTokens.familyId, options.sessionId)))
    .limit(1);
  if (!known) throw notFound("Session");
  return { user, revokedSessions: await revokeUserSessions(db, user.id, { familyId: options.sessionId, now }) };
}

export interface SessionSummary {
  /** The refresh-token family; the `sessionId` claim of its access tokens. */
  id: string;
  startedAt: Date;
  lastRefreshedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** A user's live sessions (not revoked, not expired), most recently refreshed first. */
export async function listUserSessions(db: Database, ref: UserRef, now: Date = new Date()): Promise<SessionSummary[]> {
  const user = await findUser(db, ref);
  const lastRefreshedAt = max(refreshTokens.createdAt);
  const expiresAt = max(refreshTokens.expiresAt);
  const rows = await db
    .select({
      id: refreshTokens.familyId,
      startedAt: min(refreshTokens.createdAt),
      lastRefreshedAt,
      expiresAt,
      // The newest token's client, i.e. where the session was last used from.
      userAgent: sql<string | null>`(array_agg(${refreshTokens.userAgent} order by ${refreshTokens.createdAt} desc))[1]`,
      ip: sql<string | null>`(array_agg(${refreshTokens.ip} order by ${refreshTokens.createdAt} desc))[1]`,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, user.id))
    .groupBy(refreshTokens.familyId)
    // Revoking a session revokes all its rows; its newest row expires last.
    .having(and(sql`bool_and(${refreshTokens.revokedAt} is null)`, gt(expiresAt, sql.param(now, refreshTokens.expiresAt))))
    .orderBy(desc(lastRefreshedAt));
  // Aggregates over a non-empty group are never null; the types cannot know it.
  return rows.flatMap(({ startedAt, lastRefreshedAt, expiresAt, ...r }) =>
    startedAt && lastRefreshedAt && expiresAt ? [{ ...r, startedAt, lastRefreshedAt, expiresAt }] : [],
  );
}
