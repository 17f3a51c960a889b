import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { companionPersonas, companions, memories, messages, relationshipStates, users } from "../schema/index.ts";
import { rowsOf } from "../raw-sql.ts";
import { inTransaction } from "../transaction.ts";
import type { Database } from "../types.ts";
import { createNotification, emitEvents } from "./events.ts";

/**
 * Companions writing first (docs/proactive.md): the sweep's candidates, the context the text
 * is written from, and the save that re-checks every guardrail under locks. Service code (the
 * jobs), outside any user scope. One predicate, `eligibleAt`, states the guardrails for both.
 */

/** The guardrails' numbers (packages/jobs ProactiveSettings). */
export interface ProactiveLimits {
  minAwayHours: number;
  maxAwayHours: number;
  maxPerUserPerDay: number;
  maxUnanswered: number;
}

const instant = (at: Date) => sql`${at.toISOString()}::timestamptz`;

/** Midnight of `at`'s calendar day in the person's time zone (`u` is the users row). */
const dayStartAt = (at: Date) => sql`(date_trunc('day', ${instant(at)} at time zone u.time_zone) at time zone u.time_zone)`;

/** Proactive messages the person got since their midnight: at most one per companion per day, so one per relationship row. */
const sentTodayAt = (at: Date) =>
  sql`(select count(*)::int from ${relationshipStates} r2 where r2.user_id = rs.user_id and r2.last_proactive_at >= ${dayStartAt(at)})`;

/**
 * Every guardrail but the daily count per person, over `rs` (relationship_states), `u` (users)
 * and `c` (companions): both opt-ins, away long enough for this affection (MAX hours at 0, MIN at
 * 100), nothing proactive in the last 24 h, fewer unanswered than the limit, outside quiet hours.
 */
function eligibleAt(at: Date, limits: ProactiveLimits): SQL {
  const now = instant(at);
  const localMinute = sql`(extract(hour from (${now} at time zone u.time_zone)) * 60 + extract(minute from (${now} at time zone u.time_zone)))`;
  return sql`rs.proactive_enabled and u.proactive_enabled and u.disabled_at is null
    and (c.visibility <> 'private' or c.owner_user_id = rs.user_id)
    and coalesce(rs.last_interaction_at, rs.created_at)
      <= ${now} - make_interval(secs => (${limits.maxAwayHours}::float8 - (${limits.maxAwayHours}::float8 - ${limits.minAwayHours}::float8) * rs.affection / 100.0) * 3600)
    and (rs.last_proactive_at is null or rs.last_proactive_at <= ${now} - interval '1 day')
    and rs.proactive_unanswered < ${limits.maxUnanswered}::int
    and not coalesce(u.quiet_start_minute <> u.quiet_end_minute and case
      when u.quiet_start_minute < u.quiet_end_minute then ${localMinute} >= u.quiet_start_minute and ${localMinute} < u.quiet_end_minute
      else ${localMinute} >= u.quiet_start_minute or ${localMinute} < u.quiet_end_minute end, false)`;
}

export interface ProactiveCandidate {
  userId: string;
  companionId: string;
  /** False: eligible, but the person's daily limit is used up by others in this batch or earlier today. */
  allowed: boolean;
}

/**
 * One batch of eligible (user, companion) pairs after the keyset `after`, in (user_id,
 * companion_id) order through relationship_states_user_companion_key. Within the batch, a
 * person's pairs past their daily limit come back `allowed: false` (longest away first).
 */
export async function findProactiveCandidates(
  db: Database,
  params: { at: Date; limits: ProactiveLimits; after?: { userId: string; companionId: string } | undefined; limit: number },
): Promise<ProactiveCandidate[]> {
  const after = params.after ? sql`and (rs.user_id, rs.companion_id) > (${params.after.userId}::uuid, ${params.after.companionId}::uuid)` : sql``;
  return rowsOf(
    await db.execute(sql`
      select rs.user_id as "userId", rs.companion_id as "companionId",
        row_number() over (partition by rs.user_id order by coalesce(rs.last_interaction_at, rs.created_at), rs.companion_id)
          + ${sentTodayAt(params.at)} <= ${params.limits.maxPerUserPerDay}::int as allowed
      from ${relationshipStates} rs
      join ${users} u on u.id = rs.user_id
      join ${companions} c on c.id = rs.companion_id
      where ${eligibleAt(params.at, params.limits)} ${after}
      order by rs.user_id, rs.companion_id
      limit ${params.limit}::int`),
  ) as ProactiveCandidate[];
}

export interface ProactiveContextRow {
  companionName: string;
  traits: string[];
  systemPrompt: string;
  speakingStyle: string;
  mood: string;
  memories: { content: string; factKey: string | null }[];
  /** The last turns, oldest first. */
  recentTurns: { role: "user" | "assistant"; content: string }[];
}

/** What the proactive text is written from; null when the pair is no longer connected. */
export async function loadProactiveContext(db: Database, params: { userId: string; companionId: string }): Promise<ProactiveContextRow | null> {
  const [row] = await db
    .select({
      companionName: companions.name,
      traits: companions.traits,
      systemPrompt: companionPersonas.systemPrompt,
      speakingStyle: companionPersonas.speakingStyle,
      mood: relationshipStates.mood,
    })
    .from(relationshipStates)
    .innerJoin(companions, eq(companions.id, relationshipStates.companionId))
    .leftJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)));
  if (!row) return null;
  const owner = and(eq(memories.userId, params.userId), eq(memories.companionId, params.companionId));
  const [top, turns] = await Promise.all([
    db
      .select({ content: memories.content, factKey: memories.factKey })
      .from(memories)
      .where(owner)
      .orderBy(desc(memories.importance), desc(memories.createdAt))
      .limit(5),
    db
      .select({ role: messages.role, content: messages.content })
      .from(messages)
      .where(and(eq(messages.userId, params.userId), eq(messages.companionId, params.companionId)))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(6),
  ]);
  return {
    companionName: row.companionName,
    traits: row.traits,
    systemPrompt: row.systemPrompt ?? "",
    speakingStyle: row.speakingStyle ?? "",
    mood: row.mood,
    memories: top,
    recentTurns: turns.reverse(),
  };
}

/** Whether every guardrail allows the pair at `at` now (a cheap check before writing the text). */
export async function isProactiveAllowed(db: Database, params: { userId: string; companionId: string; at: Date; limits: ProactiveLimits }): Promise<boolean> {
  const [row] = rowsOf(
    await db.execute(sql`
      select 1 as ok from ${relationshipStates} rs
      join ${users} u on u.id = rs.user_id
      join ${companions} c on c.id = rs.companion_id
      where rs.user_id = ${params.userId}::uuid and rs.companion_id = ${params.companionId}::uuid
        and ${eligibleAt(params.at, params.limits)} and ${sentTodayAt(params.at)} < ${params.limits.maxPerUserPerDay}::int`),
  );
  return row !== undefined;
}

// pg_advisory_xact_lock(key1, key2): key1 names this lock family ('PRAC'), key2 the person.
const PROACTIVE_LOCK = 1347568963;

/**
 * Saves the companion's first message if every guardrail still allows it, in one transaction:
 * the message (proactive), the relationship's counters, the `companion_message` notification
 * (`onCreated` enqueues its push) and the live `message.created` event. The person's lock
 * serializes sends to them, so the daily limit holds across companions. Null: not allowed now.
 */
export async function saveProactiveMessage(
  db: Database,
  params: {
    userId: string;
    companionId: string;
    content: string;
    at: Date;
    limits: ProactiveLimits;
    onCreated: (tx: Database, notificationId: string) => Promise<void>;
  },
): Promise<{ messageId: string } | null> {
  return inTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${PROACTIVE_LOCK}::int, hashtext(${params.userId}::text))`);
    const [locked] = rowsOf(
      await tx.execute(sql`
        select c.name as "companionName" from ${relationshipStates} rs
        join ${users} u on u.id = rs.user_id
        join ${companions} c on c.id = rs.companion_id
        where rs.user_id = ${params.userId}::uuid and rs.companion_id = ${params.companionId}::uuid
          and ${eligibleAt(params.at, params.limits)} and ${sentTodayAt(params.at)} < ${params.limits.maxPerUserPerDay}::int
        for update of rs`),
    ) as { companionName: string }[];
    if (!locked) return null;
    const [message] = await tx
      .insert(messages)
      .values({ userId: params.userId, companionId: params.companionId, role: "assistant", content: params.content, status: "complete", proactive: true, createdAt: params.at })
      .returning({ id: messages.id });
    if (!message) throw new Error("insert into messages returned no row");
    await tx
      .update(relationshipStates)
      .set({ proactiveUnanswered: sql`${relationshipStates.proactiveUnanswered} + 1`, lastProactiveAt: params.at, updatedAt: sql`now()` })
      .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, params.companionId)));
    const note = await createNotification(tx, {
      userId: params.userId,
      kind: "companion_message",
      payload: { companionId: params.companionId, companionName: locked.companionName, messageId: message.id },
      dedupeKey: `companion_message:${message.id}`,
    });
    if (note) await params.onCreated(tx, note.id);
    await emitEvents(tx, [{ userId: params.userId, type: "message.created", payload: { messageId: message.id, companionId: params.companionId, role: "assistant", proactive: true } }]);
    return { messageId: message.id };
  });
}
