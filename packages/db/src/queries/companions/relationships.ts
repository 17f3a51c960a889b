import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { advanceRelationship, currentRelationship, utcDay, type InteractionKind, type RelationshipMood } from "../../relationship/model.ts";
import { companions, moodHistory, relationshipStates } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { companionVisibleTo } from "./visibility.ts";

export interface RelationshipState {
  companionId: string;
  affection: number;
  trust: number;
  energy: number;
  mood: RelationshipMood;
  interactionCount: number;
  lastInteractionAt: Date | null;
  /** false: I opted out of this companion writing first. */
  proactiveEnabled: boolean;
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
  proactiveEnabled: relationshipStates.proactiveEnabled,
  createdAt: relationshipStates.createdAt,
};

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
 * Applies one interaction (relationship/model.ts) under a row lock and upserts that UTC day's
 * mood_history row, atomically, in the caller's transaction if any. NOT_FOUND when not connected.
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
      .set({
        ...scores,
        interactionCount: next.interactionCount,
        lastInteractionAt: next.lastInteractionAt,
        // The person wrote: proactive messages count as answered again (docs/proactive.md).
        ...(params.kind === "message" ? { proactiveUnanswered: 0 } : {}),
        updatedAt: sql`now()`,
      })
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

/**
 * Turns this companion writing first to me on or off (the per-companion opt-out; the global
 * one is in my settings). NOT_FOUND when I may not see it or am not connected.
 */
export async function setProactiveEnabled(
  db: Database,
  params: { userId: string; companionId: string; enabled: boolean; now?: Date },
): Promise<RelationshipState> {
  const [updated] = await db
    .update(relationshipStates)
    .set({ proactiveEnabled: params.enabled, updatedAt: sql`now()` })
    .where(
      and(
        eq(relationshipStates.userId, params.userId),
        eq(relationshipStates.companionId, params.companionId),
        sql`exists (select 1 from ${companions} where ${companions.id} = ${relationshipStates.companionId} and ${companionVisibleTo(params.userId)})`,
      ),
    )
    .returning(relationshipColumns);
  if (!updated) throw notFound("Relationship");
  return currentRelationship(updated, params.now ?? new Date());
}

interface MoodHistoryEntry {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  mood: RelationshipMood;
  affection: number;
  trust: number;
  energy: number;
}

export interface RelationshipDetail extends RelationshipState {
  history: {
    /** Inclusive UTC day range of `entries`. */
    from: string;
    to: string;
    /** Days with a mood_history row in the range, oldest first; days without one are absent. */
    entries: MoodHistoryEntry[];
    daysInteracted: number;
    totalDaysInteracted: number;
    /** Most frequent mood in the range (latest wins a tie); null without entries. */
    dominantMood: RelationshipMood | null;
  };
}

const moodHistoryColumns = {
  date: moodHistory.recordedOn,
  mood: sql<RelationshipMood>`${moodHistory.mood}`.as("mood"),
  affection: moodHistory.affection,
  trust: moodHistory.trust,
  energy: moodHistory.energy,
};

/** Mood history rows of one relationship for an inclusive UTC day range, oldest first. */
async function listMoodHistory(db: Database, params: { userId: string; companionId: string; from: string; to: string }): Promise<MoodHistoryEntry[]> {
  return db
    .select(moodHistoryColumns)
    .from(moodHistory)
    .where(
      and(
        eq(moodHistory.userId, params.userId),
        eq(moodHistory.companionId, params.companionId),
        gte(moodHistory.recordedOn, params.from),
        lte(moodHistory.recordedOn, params.to),
      ),
    )
    .orderBy(asc(moodHistory.recordedOn));
}

/**
 * My relationship with a visible companion as it stands at `now` (decay applied at read
 * time, nothing written), with a summary of the last `days` UTC days of mood history.
 * NOT_FOUND when the companion is not visible to me or I am not connected.
 */
export async function getRelationship(
  db: Database,
  params: { userId: string; companionId: string; days?: number; now?: Date },
): Promise<RelationshipDetail> {
  const now = params.now ?? new Date();
  const days = params.days ?? 30;
  const to = utcDay(now);
  const from = utcDay(new Date(now.getTime() - (days - 1) * 86_400_000));
  const [[state], entries] = await Promise.all([
    db
      .select({
        ...relationshipColumns,
        totalDaysInteracted: sql<number>`(select count(*)::int from ${moodHistory} where ${moodHistory.userId} = ${params.userId} and ${moodHistory.companionId} = ${params.companionId})`,
      })
      .from(relationshipStates)
      .innerJoin(companions, eq(companions.id, relationshipStates.companionId))
      .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId), companionVisibleTo(params.userId))),
    listMoodHistory(db, { userId: params.userId, companionId: params.companionId, from, to }),
  ]);
  if (!state) throw notFound("Relationship");
  const { totalDaysInteracted, ...stored } = state;
  return {
    ...currentRelationship(stored, now),
    history: { from, to, entries, daysInteracted: entries.length, totalDaysInteracted, dominantMood: dominantMood(entries) },
  };
}

function dominantMood(entries: MoodHistoryEntry[]): RelationshipMood | null {
  const counts = new Map<RelationshipMood, number>();
  let best: RelationshipMood | null = null;
  for (const { mood } of entries) {
    const n = (counts.get(mood) ?? 0) + 1;
    counts.set(mood, n);
    // Entries are oldest first, so `>=` lets the more recent mood win a tie.
    if (best === null || n >= (counts.get(best) ?? 0)) best = mood;
  }
  return best;
}
