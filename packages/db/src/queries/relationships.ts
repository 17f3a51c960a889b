import { and, eq, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { notFound } from "../errors.ts";
import { advanceRelationship, utcDay, type InteractionKind, type RelationshipMood } from "../relationship/model.ts";
import { moodHistory, relationshipStates } from "../schema/index.ts";
import type { Database } from "../types.ts";

export interface RelationshipState {
  companionId: string;
  affection: number;
  trust: number;
  energy: number;
  mood: RelationshipMood;
  interactionCount: number;
  lastInteractionAt: Date | null;
  createdAt: Date;
}

/** Columns of a relationship state row, for every select/returning that reads one. */
export const relationshipColumns = {
  companionId: relationshipStates.companionId,
  affection: relationshipStates.affection,
  trust: relationshipStates.trust,
  energy: relationshipStates.energy,
  // Stored as text; only this module writes it, always with a model label.
  mood: sql<RelationshipMood>`${relationshipStates.mood}`.as("mood"),
  interactionCount: relationshipStates.interactionCount,
  lastInteractionAt: relationshipStates.lastInteractionAt,
  createdAt: relationshipStates.createdAt,
};

/**
 * Runs `fn` in `db` when it already is a transaction, otherwise in a new one. Avoids a
 * savepoint (two extra round trips) when a caller such as `withUser` already holds one.
 */
export async function inTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  if (isTransaction(db)) return fn(db);
  return db.transaction(fn);
}

// A plain boolean on purpose: `instanceof` would narrow `db` to PgTransaction<any, ...>.
function isTransaction(db: Database): boolean {
  return db instanceof PgTransaction;
}

export interface RecordInteractionParams {
  userId: string;
  companionId: string;
  kind: InteractionKind;
  /** -1..1, e.g. from the AI package's sentiment scorer; absent means neutral. */
  sentiment?: number | undefined;
  /** Defaults to now. */
  at?: Date | undefined;
}

/**
 * Applies one interaction to the user's relationship with a companion: locks the state row,
 * decays it to `at`, applies the interaction (packages/db/src/relationship/model.ts), writes
 * it back and upserts that UTC day's mood_history row with the new mood and scores. Atomic;
 * joins the caller's transaction if given one. NOT_FOUND when the user is not connected.
 */
export async function recordInteraction(db: Database, params: RecordInteractionParams): Promise<RelationshipState> {
  const at = params.at ?? new Date();
  return inTransaction(db, async (tx) => {
    const [current] = await tx
      .select(relationshipColumns)
      .from(relationshipStates)
      .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)))
      .for("update");
    if (!current) throw notFound("Relationship");
    const next = advanceRelationship(current, { kind: params.kind, sentiment: params.sentiment, at });
    const scores = { mood: next.mood, affection: next.affection, trust: next.trust, energy: next.energy };
    const [updated] = await tx
      .update(relationshipStates)
      .set({ ...scores, interactionCount: next.interactionCount, lastInteractionAt: next.lastInteractionAt, updatedAt: sql`now()` })
      .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)))
      .returning(relationshipColumns);
    if (!updated) throw notFound("Relationship");
    await tx
      .insert(moodHistory)
      .values({ userId: params.userId, companionId: params.companionId, recordedOn: utcDay(at), ...scores })
      .onConflictDoUpdate({
        target: [moodHistory.userId, moodHistory.companionId, moodHistory.recordedOn],
        set: { ...scores, updatedAt: sql`now()` },
      });
    return updated;
  });
}
