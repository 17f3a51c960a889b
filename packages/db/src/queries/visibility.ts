import { sql, type SQL } from "drizzle-orm";
import { companions } from "../schema/index.ts";

/**
 * A companion is visible to a user when it is public or theirs. Every query that reaches
 * a companion by id uses this, so one that is neither answers NOT_FOUND, never FORBIDDEN.
 */
export function companionVisibleTo(userId: string): SQL {
  return sql`(${companions.isPublic} or ${companions.ownerUserId} = ${userId})`;
}
