import { and, eq, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { currentRelationship } from "../../relationship/model.ts";
import { companions, relationshipStates } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { relationshipColumns, type RelationshipState } from "./relationships.ts";
import { companionVisibleTo } from "./visibility.ts";

/**
 * Connects me to a visible companion with a fresh state (scores at their defaults).
 * Idempotent: connecting again keeps the existing state. Returns the state either way.
 */
export async function connectCompanion(db: Database, params: { userId: string; companionId: string; now?: Date }): Promise<RelationshipState> {
  // INSERT ... SELECT: the visibility check and the insert are one statement, so there is no
  // window between them. Raw because Drizzle's insert-select wants every column of the table.
  await db.execute(sql`
    insert into ${relationshipStates} (user_id, companion_id)
    select ${params.userId}::uuid, ${companions.id} from ${companions}
    where ${companions.id} = ${params.companionId} and ${companionVisibleTo(params.userId)}
    on conflict (user_id, companion_id) do nothing`);
  const [state] = await db
    .select(relationshipColumns)
    .from(relationshipStates)
    .innerJoin(companions, eq(companions.id, relationshipStates.companionId))
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId), companionVisibleTo(params.userId)));
  if (!state) throw notFound("Companion");
  return currentRelationship(state, params.now ?? new Date());
}

/**
 * Deletes my relationship state (mood history, messages and memories stay). Idempotent; a
 * companion I may not see is NOT_FOUND unless I still had a state with it to remove.
 */
export async function disconnectCompanion(db: Database, params: { userId: string; companionId: string }): Promise<{ disconnected: boolean }> {
  const deleted = await db
    .delete(relationshipStates)
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)))
    .returning({ id: relationshipStates.id });
  if (deleted.length > 0) return { disconnected: true };
  const [visible] = await db
    .select({ id: companions.id })
    .from(companions)
    .where(and(eq(companions.id, params.companionId), companionVisibleTo(params.userId)));
  if (!visible) throw notFound("Companion");
  return { disconnected: false };
}
