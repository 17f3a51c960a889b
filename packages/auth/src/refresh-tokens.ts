import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { recordSessionRevocations, refreshTokens, users, type Database } from "@companion/db";
import { and, eq, isNull, ne, type SQL } from "drizzle-orm";
import { ACCESS_TOKEN_TTL_SECONDS, type Role } from "./tokens.ts";

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
export const DEFAULT_REFRESH_GRACE_MS = 30_000;

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** A refresh-token row together with its raw token, which is never stored. */
export interface IssuedRefreshToken {
  id: string;
  userId: string;
  familyId: string;
  token: string;
  createdAt: Date;
  expiresAt: Date;
}

/** 256 random bits, base64url (43 characters). */
export function generateRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are high-entropy, so a plain SHA-256 (no salt, no KDF) is enough to make a leaked table useless. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * The child of `parentToken` is a keyed function of it, so a retried refresh can be answered
 * with the same child token again without the raw token ever being stored.
 */
function deriveChildToken(pepper: Uint8Array, parentToken: string): string {
  return createHmac("sha256", pepper).update(parentToken).digest("base64url");
}

const issuedColumns = {
  id: refreshTokens.id,
  userId: refreshTokens.userId,
  familyId: refreshTokens.familyId,
  createdAt: refreshTokens.createdAt,
  expiresAt: refreshTokens.expiresAt,
};

/** Starts a new family (one login session) with a fresh random token. */
export async function startRefreshFamily(
  db: Database,
  params: { userId: string; meta: RequestMeta; now: Date },
): Promise<IssuedRefreshToken> {
  const token = generateRefreshToken();
  const [row] = await db
    .insert(refreshTokens)
    .values({
      userId: params.userId,
      familyId: randomUUID(),
      tokenHash: hashRefreshToken(token),
      createdAt: params.now,
      expiresAt: new Date(params.now.getTime() + REFRESH_TOKEN_TTL_MS),
      userAgent: params.meta.userAgent,
      ip: params.meta.ip,
    })
    .returning(issuedColumns);
  if (!row) throw new Error("Inserting a refresh token returned no row");
  return { ...row, token };
}

export type RotationResult =
  | { kind: "rotated"; child: IssuedRefreshToken; role: Role }
  /** The family was revoked in the same transaction, which must commit before the caller rejects. */
  | { kind: "reused"; familyId: string; userId: string; revokedAt: Date }
  /** The token's owner is disabled; nothing was changed (disabling revoked the sessions already). */
  | { kind: "disabled" }
  | { kind: "invalid" };

export interface RotateParams {
  token: string;
  pepper: Uint8Array;
  graceMs: number;
  meta: RequestMeta;
  now: () => Date;
}

/**
 * Exchanges a refresh token for its child. The row is locked, so concurrent refreshes queue and, inside
 * the grace window, get the same child; other reuse revokes the family. Returns rather than throws so
 * that the revocation commits (RotationResult).
 */
export async function rotateRefreshToken(db: Database, params: RotateParams): Promise<RotationResult> {
  return db.transaction(async (tx) => {
    const [presented] = await tx
      .select({
        id: refreshTokens.id,
        userId: refreshTokens.userId,
        familyId: refreshTokens.familyId,
        expiresAt: refreshTokens.expiresAt,
        usedAt: refreshTokens.usedAt,
        revokedAt: refreshTokens.revokedAt,
        role: users.role,
        disabledAt: users.disabledAt,
      })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(params.token)))
      .for("update", { of: refreshTokens });
    if (!presented) return { kind: "invalid" };
    // Before the revocation check: a disabled user's revoked tokens are not a reuse to report.
    if (presented.disabledAt) return { kind: "disabled" };

    // Read the clock after the lock: a request that waited must not look older than the rotation it waited for.
    const now = params.now();
    if (presented.revokedAt) return reuse(tx, presented, now);
    if (presented.expiresAt <= now) return { kind: "invalid" };

    const childToken = deriveChildToken(params.pepper, params.token);
    if (presented.usedAt) {
      const child = await findGraceChild(tx, presented.id, presented.usedAt, childToken, params.graceMs, now);
      return child ? { kind: "rotated", child: { ...child, token: childToken }, role: presented.role } : reuse(tx, presented, now);
    }

    await tx.update(refreshTokens).set({ usedAt: now }).where(eq(refreshTokens.id, presented.id));
    const [child] = await tx
      .insert(refreshTokens)
      .values({
        userId: presented.userId,
        familyId: presented.familyId,
        parentId: presented.id,
        tokenHash: hashRefreshToken(childToken),
        createdAt: now,
        expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
        userAgent: params.meta.userAgent,
        ip: params.meta.ip,
      })
      .returning(issuedColumns);
    if (!child) throw new Error("Inserting a refresh token returned no row");
    return { kind: "rotated", child: { ...child, token: childToken }, role: presented.role };
  });
}

/**
 * The child a replay of its parent may receive again: only shortly after the rotation, and
 * only while the child itself is still the live end of the chain.
 */
async function findGraceChild(
  tx: Database,
  parentId: string,
  parentUsedAt: Date,
  childToken: string,
  graceMs: number,
  now: Date,
): Promise<Omit<IssuedRefreshToken, "token"> | undefined> {
  if (now.getTime() - parentUsedAt.getTime() > graceMs) return undefined;
  const [child] = await tx
    .select({ ...issuedColumns, tokenHash: refreshTokens.tokenHash, usedAt: refreshTokens.usedAt, revokedAt: refreshTokens.revokedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.parentId, parentId))
    .for("update");
  // A hash mismatch means the pepper changed since the rotation: the old child cannot be rebuilt.
  if (!child || child.usedAt || child.revokedAt || child.expiresAt <= now || child.tokenHash !== hashRefreshToken(childToken)) {
    return undefined;
  }
  const { tokenHash: _hash, usedAt: _used, revokedAt: _revoked, ...issued } = child;
  return issued;
}

async function reuse(tx: Database, presented: { familyId: string; userId: string }, now: Date): Promise<RotationResult> {
  await revokeFamily(tx, presented.familyId, now);
  return { kind: "reused", familyId: presented.familyId, userId: presented.userId, revokedAt: now };
}

/**
 * Revokes the live tokens `where` selects and, in the same transaction, records their sessions in
 * session_revocations with a NOTIFY, so that every process refuses their access tokens as soon as
 * it commits (docs/auth.md#revocation). Resolves to the sessions (family ids) that were live until now.
 */
async function revokeWhere(db: Database, where: SQL | undefined, now: Date): Promise<string[]> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(isNull(refreshTokens.revokedAt), where))
      .returning({ familyId: refreshTokens.familyId, userId: refreshTokens.userId });
    const byUser = new Map<string, Set<string>>();
    for (const { userId, familyId } of revoked) {
      let families = byUser.get(userId);
      if (!families) byUser.set(userId, (families = new Set()));
      families.add(familyId);
    }
    const expiresAt = new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000);
    for (const [userId, families] of byUser) {
      await recordSessionRevocations(tx, { userId, familyIds: [...families], revokedAt: now, expiresAt });
    }
    return [...byUser.values()].flatMap((families) => [...families]);
  });
}

/** Revokes every token of one login session. Already-revoked rows keep their first revocation time. */
export async function revokeFamily(db: Database, familyId: string, now: Date = new Date()): Promise<void> {
  await revokeWhere(db, eq(refreshTokens.familyId, familyId), now);
}

/** revokeUserSessions, resolving to the revoked sessions' ids (the auth service refuses them locally at once). */
export async function revokeUserSessionFamilies(
  db: Database,
  userId: string,
  options: { exceptFamilyId?: string; familyId?: string; now?: Date } = {},
): Promise<string[]> {
  const { exceptFamilyId, familyId, now = new Date() } = options;
  return revokeWhere(
    db,
    and(
      eq(refreshTokens.userId, userId),
      exceptFamilyId === undefined ? undefined : ne(refreshTokens.familyId, exceptFamilyId),
      familyId === undefined ? undefined : eq(refreshTokens.familyId, familyId),
    ),
    now,
  );
}

/**
 * Revokes a user's sessions: all of them, all but one (the caller's own), or only one.
 * Resolves to the number of sessions that were live until now. Their access tokens are refused
 * on every process once the caller's transaction commits (session_revocations).
 */
export async function revokeUserSessions(
  db: Database,
  userId: string,
  options: { exceptFamilyId?: string; familyId?: string; now?: Date } = {},
): Promise<number> {
  return (await revokeUserSessionFamilies(db, userId, options)).length;
}

/** The session (family) of a token and its user, whatever its state; undefined for a token we never issued. */
export async function findSessionOfToken(db: Database, token: string): Promise<{ familyId: string; userId: string } | undefined> {
  const [row] = await db
    .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
  return row;
}
