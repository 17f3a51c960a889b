import { and, eq, sql, type Placeholder, type SQL } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { companions } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/**
 * A companion is visible to a user when it is public, unlisted (anyone with its id) or theirs.
 * Every query that reaches a companion by id uses this, so one that is neither answers
 * NOT_FOUND, never FORBIDDEN. RLS applies the same rule (0013_own_companions.sql). A companion
 * hidden by moderation (`hidden_at`, docs/moderation.md) is visible to nobody, its creator included.
 */
export function companionVisibleTo(userId: string | Placeholder): SQL {
  return sql`(${companions.hiddenAt} is null and (${companions.visibility} <> 'private' or ${companions.ownerUserId} = ${userId}))`;
}

/** A companion is listed for a user (companions.list) when it is public or theirs: unlisted ones never are. */
export function companionListedFor(userId: string): SQL {
  return sql`(${companions.hiddenAt} is null and (${companions.visibility} = 'public' or ${companions.ownerUserId} = ${userId}))`;
}

/** NOT_FOUND unless the companion is visible to the user. */
export async function assertCompanionVisible(db: Database, userId: string, companionId: string): Promise<void> {
  const [row] = await db.select({ id: companions.id }).from(companions).where(and(eq(companions.id, companionId), companionVisibleTo(userId)));
  if (!row) throw notFound("Companion");
}
