import { gt, lt, sql } from "drizzle-orm";
import { sessionRevocations } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** NOTIFY channel of revoked sessions; the payload is `<expires ms>:<family id>,<family id>,…`. */
export const SESSION_REVOCATIONS_CHANNEL = "companion_session_revoked";

/** Family ids per NOTIFY: 37 bytes each keeps a payload far under Postgres's 8000-byte cap. */
const IDS_PER_NOTIFY = 100;

/**
 * Records revoked sessions (refresh families) so that every process refuses their access tokens
 * at once: one row each (kept until `expiresAt`, when the last of their access tokens expires) and a
 * NOTIFY, which Postgres and PGlite deliver when the caller's transaction commits, never before.
 */
export async function recordSessionRevocations(
  db: Database,
  params: { userId: string; familyIds: readonly string[]; revokedAt: Date; expiresAt: Date },
): Promise<void> {
  const { userId, familyIds, revokedAt, expiresAt } = params;
  if (familyIds.length === 0) return;
  await db
    .insert(sessionRevocations)
    .values(familyIds.map((familyId) => ({ familyId, userId, revokedAt, expiresAt })))
    .onConflictDoNothing({ target: sessionRevocations.familyId });
  for (let i = 0; i < familyIds.length; i += IDS_PER_NOTIFY) {
    const payload = `${expiresAt.getTime()}:${familyIds.slice(i, i + IDS_PER_NOTIFY).join(",")}`;
    await db.execute(sql`select pg_notify(${SESSION_REVOCATIONS_CHANNEL}, ${payload})`);
  }
}

/** Revocations whose access tokens may still be presented: what a process loads at start and after a reconnect. */
export async function listLiveSessionRevocations(db: Database, params: { now: Date }): Promise<{ familyId: string; expiresAt: Date }[]> {
  return db
    .select({ familyId: sessionRevocations.familyId, expiresAt: sessionRevocations.expiresAt })
    .from(sessionRevocations)
    .where(gt(sessionRevocations.expiresAt, sql.param(params.now, sessionRevocations.expiresAt)));
}

/** Forgets revocations that expired before `before`: the access tokens' own expiry refuses them now. */
export async function pruneSessionRevocations(db: Database, params: { before: Date }): Promise<number> {
  const rows = await db
    .delete(sessionRevocations)
    .where(lt(sessionRevocations.expiresAt, sql.param(params.before, sessionRevocations.expiresAt)))
    .returning({ familyId: sessionRevocations.familyId });
  return rows.length;
}
