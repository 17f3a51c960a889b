import { and, eq, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { rowsOf } from "../../raw-sql.ts";
import { currentRelationship } from "../../relationship/model.ts";
import { companions, messages, relationshipStates, users } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { relationshipColumns, type RelationshipState } from "./relationships.ts";
import { companionVisibleTo } from "./visibility.ts";

/** Fills a greeting's macros ({{char}}, {{user}}): `fillMacros` of @companion/ai, which this package cannot import. */
export type RenderGreeting = (greeting: string, names: { char: string; user: string }) => string;

/**
 * Connects me to a visible companion with a fresh state (scores at their defaults).
 * Idempotent: connecting again keeps the existing state. Returns the state either way.
 * With `renderGreeting`, a new connection to a conversation without messages opens with the
 * companion's greeting (docs/relationship-model.md#greetings), in the same transaction.
 */
export async function connectCompanion(
  db: Database,
  params: { userId: string; companionId: string; now?: Date; renderGreeting?: RenderGreeting },
): Promise<RelationshipState> {
  return inTransaction(db, async (tx) => {
    // INSERT ... SELECT: the visibility check and the insert are one statement, so there is no
    // window between them. Raw because Drizzle's insert-select wants every column of the table.
    const inserted = await tx.execute(sql`
      insert into ${relationshipStates} (user_id, companion_id)
      select ${params.userId}::uuid, ${companions.id} from ${companions}
      where ${companions.id} = ${params.companionId} and ${companionVisibleTo(params.userId)}
      on conflict (user_id, companion_id) do nothing
      returning user_id`);
    if (params.renderGreeting && rowsOf(inserted).length > 0) await insertGreeting(tx, { ...params, renderGreeting: params.renderGreeting });
    return readConnection(tx, params);
  });
}

/**
 * The greeting as the conversation's first message, unless the conversation has one already
 * (a reconnect after companions.disconnect, which keeps messages) or the companion has none.
 */
async function insertGreeting(db: Database, params: { userId: string; companionId: string; renderGreeting: RenderGreeting }): Promise<void> {
  const [row] = await db
    .select({
      greeting: companions.greeting,
      name: companions.name,
      userName: sql<string>`(select ${users.displayName} from ${users} where ${users.id} = ${params.userId})`,
    })
    .from(companions)
    .where(eq(companions.id, params.companionId));
  if (!row || row.greeting.trim() === "") return;
  const content = params.renderGreeting(row.greeting, { char: row.name, user: row.userName });
  await db.execute(sql`
    insert into ${messages} (user_id, companion_id, role, content, status, proactive)
    select ${params.userId}::uuid, ${params.companionId}::uuid, 'assistant', ${content}, 'complete', false
    where not exists (select 1 from ${messages} m where m.user_id = ${params.userId} and m.companion_id = ${params.companionId})`);
}

async function readConnection(db: Database, params: { userId: string; companionId: string; now?: Date }): Promise<RelationshipState> {
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
