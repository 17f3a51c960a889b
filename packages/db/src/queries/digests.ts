import { and, desc, eq, sql } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { decodeDigestCursor, encodeDigestCursor, toPage, type Page } from "../pagination.ts";
import { rowsOf } from "../raw-sql.ts";
import { companions, digests, relationshipStates } from "../schema/index.ts";
import { inTransaction } from "../transaction.ts";
import type { Database } from "../types.ts";
import { createNotification } from "./events.ts";

/**
 * Weekly digests (docs/insights.md): which pairs talked in a week, the week's numbers, and the
 * digest row, written once per (user, companion, ISO week) by the jobs (service code), read
 * by their person under RLS. A week runs Monday 00:00 to Monday 00:00 in the person's time zone.
 */

export interface DigestStats {
  userMessages: number;
  companionMessages: number;
  /** Days (in the person's time zone) they wrote at least once. */
  daysTalked: number;
  /** Consecutive days with a message from them, ending on the last such day of the week (earlier weeks count). */
  streak: number;
  mood: {
    start: string | null;
    end: string | null;
    /** The week's mood_history rows, oldest first (UTC days). */
    days: { date: string; mood: string; affection: number }[];
  };
  memories: { count: number; top: string[] };
  topReactions: { emoji: string; count: number }[];
}

export interface Digest {
  id: string;
  companionId: string;
  companionName: string;
  week: string;
  weekStart: string;
  stats: DigestStats;
  letter: string;
  method: "model" | "template";
  createdAt: Date;
}

const DAY_MS = 86_400_000;

/** The person's week as timestamps: their local Monday midnight to the next one. */
const weekBounds = (weekStart: string) => ({
  start: sql`((${weekStart}::date)::timestamp at time zone u.time_zone)`,
  end: sql`((${weekStart}::date + 7)::timestamp at time zone u.time_zone)`,
});

/**
 * One batch of connected pairs where the person wrote in the week (a greeting or a proactive
 * message alone is no week to look back on), after the keyset `after`, in (user_id,
 * companion_id) order; the EXISTS probes messages_conversation_idx per pair.
 */
export async function listDigestCandidates(
  db: Database,
  params: { weekStart: string; after?: { userId: string; companionId: string } | undefined; limit: number },
): Promise<{ userId: string; companionId: string }[]> {
  const { start, end } = weekBounds(params.weekStart);
  const after = params.after ? sql`and (rs.user_id, rs.companion_id) > (${params.after.userId}::uuid, ${params.after.companionId}::uuid)` : sql``;
  return rowsOf(
    await db.execute(sql`
      select rs.user_id as "userId", rs.companion_id as "companionId"
      from ${relationshipStates} rs join users u on u.id = rs.user_id
      where u.disabled_at is null ${after}
        and exists (select 1 from messages m where m.user_id = rs.user_id and m.companion_id = rs.companion_id
          and m.role = 'user' and m.created_at >= ${start} and m.created_at < ${end})
      order by rs.user_id, rs.companion_id
      limit ${params.limit}::int`),
  ) as { userId: string; companionId: string }[];
}

/** Whether the digest exists already (a second run of its job stops here, before any model call). */
export async function digestExists(db: Database, params: { userId: string; companionId: string; week: string }): Promise<boolean> {
  const [row] = await db
    .select({ id: digests.id })
    .from(digests)
    .where(and(eq(digests.userId, params.userId), eq(digests.companionId, params.companionId), eq(digests.week, params.week)));
  return row !== undefined;
}

/** Consecutive days ending on the latest day in `days` (distinct YYYY-MM-DD, newest first). */
function streakOf(days: readonly string[]): number {
  let streak = 0;
  let expected: number | undefined;
  for (const day of days) {
    const ms = Date.parse(day);
    if (expected !== undefined && ms !== expected) break;
    streak++;
    expected = ms - DAY_MS;
  }
  return streak;
}

export interface DigestInputs {
  stats: DigestStats;
  companionName: string;
  traits: string[];
  personName: string;
}

/** The week's numbers for one pair, and the names the letter needs; null when the person or companion is gone. */
export async function computeDigestStats(db: Database, params: { userId: string; companionId: string; weekStart: string }): Promise<DigestInputs | null> {
  const { userId, companionId, weekStart } = params;
  const { start, end } = weekBounds(weekStart);
  const pair = sql`user_id = ${userId}::uuid and companion_id = ${companionId}::uuid`;
  const lastDay = new Date(Date.parse(weekStart) + 6 * DAY_MS).toISOString().slice(0, 10);
  const [[head], talked, moods, topMemories, reactions] = await Promise.all([
    db
      .execute(sql`
        select u.display_name as "personName", c.name as "companionName", c.traits,
          (select count(*) filter (where m.role = 'user') from messages m where m.user_id = u.id
            and m.companion_id = c.id and m.created_at >= ${start} and m.created_at < ${end})::int as "userMessages",
          (select count(*) from messages m where m.user_id = u.id and m.companion_id = c.id and m.role = 'assistant'
            and m.created_at >= ${start} and m.created_at < ${end})::int as "companionMessages",
          (select count(*) from memories mm where mm.user_id = u.id and mm.companion_id = c.id
            and mm.created_at >= ${start} and mm.created_at < ${end})::int as "memoryCount"
        from users u, companions c where u.id = ${userId}::uuid and c.id = ${companionId}::uuid`)
      .then(rowsOf) as Promise<{ personName: string; companionName: string; traits: string[]; userMessages: number; companionMessages: number; memoryCount: number }[]>,
    // The person's talked days up to the week's end (a year back at most), newest first, for the count and the streak.
    db
      .execute(sql`
        select distinct to_char((m.created_at at time zone u.time_zone)::date, 'YYYY-MM-DD') as day
        from messages m join users u on u.id = m.user_id
        where m.user_id = ${userId}::uuid and m.companion_id = ${companionId}::uuid and m.role = 'user'
          and m.created_at >= ${end} - interval '366 days' and m.created_at < ${end}
        order by day desc`)
      .then(rowsOf) as Promise<{ day: string }[]>,
    db
      .execute(sql`
        select to_char(recorded_on, 'YYYY-MM-DD') as date, mood, affection::int as affection from mood_history
        where ${pair} and recorded_on >= ${weekStart}::date and recorded_on <= ${lastDay}::date
        order by recorded_on`)
      .then(rowsOf) as Promise<{ date: string; mood: string; affection: number }[]>,
    db
      .execute(sql`
        select mm.content from memories mm join users u on u.id = mm.user_id
        where mm.user_id = ${userId}::uuid and mm.companion_id = ${companionId}::uuid
          and mm.created_at >= ${start} and mm.created_at < ${end}
        order by mm.importance desc, mm.created_at desc limit 3`)
      .then(rowsOf) as Promise<{ content: string }[]>,
    db
      .execute(sql`
        select r.emoji, count(*)::int as count
        from story_reactions r join stories s on s.id = r.story_id join users u on u.id = r.user_id
        where r.user_id = ${userId}::uuid and s.author_companion_id = ${companionId}::uuid
          and r.created_at >= ${start} and r.created_at < ${end}
        group by r.emoji order by count desc, r.emoji limit 3`)
      .then(rowsOf) as Promise<{ emoji: string; count: number }[]>,
  ]);
  if (!head) return null;
  const firstDay = weekStart;
  const inWeek = talked.map((t) => t.day).filter((day) => day >= firstDay && day <= lastDay);
  const fromLastInWeek = inWeek[0] === undefined ? [] : talked.map((t) => t.day).filter((day) => day <= (inWeek[0] as string));
  return {
    companionName: head.companionName,
    traits: head.traits,
    personName: head.personName,
    stats: {
      userMessages: head.userMessages,
      companionMessages: head.companionMessages,
      daysTalked: inWeek.length,
      streak: streakOf(fromLastInWeek),
      mood: { start: moods[0]?.mood ?? null, end: moods[moods.length - 1]?.mood ?? null, days: moods },
      memories: { count: head.memoryCount, top: topMemories.map((m) => m.content) },
      topReactions: reactions,
    },
  };
}

/**
 * Stores the digest once (the unique (user, companion, week) decides a race) and, only when it
 * was stored now, its `digest_ready` notification, in one transaction. Null: it existed.
 */
export async function insertDigest(
  db: Database,
  params: {
    userId: string;
    companionId: string;
    companionName: string;
    week: string;
    weekStart: string;
    stats: DigestStats;
    letter: string;
    method: "model" | "template";
    onCreated: (tx: Database, notificationId: string) => Promise<void>;
  },
): Promise<{ id: string } | null> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(digests)
      .values({
        userId: params.userId,
        companionId: params.companionId,
        week: params.week,
        weekStart: params.weekStart,
        stats: params.stats as unknown as Record<string, unknown>,
        letter: params.letter,
        method: params.method,
      })
      .onConflictDoNothing({ target: [digests.userId, digests.companionId, digests.week] })
      .returning({ id: digests.id });
    if (!row) return null;
    const note = await createNotification(tx, {
      userId: params.userId,
      kind: "digest_ready",
      payload: { digestId: row.id, companionId: params.companionId, companionName: params.companionName, week: params.week },
      dedupeKey: `digest_ready:${row.id}`,
    });
    if (note) await params.onCreated(tx, note.id);
    return { id: row.id };
  });
}

const digestColumns = {
  id: digests.id,
  companionId: digests.companionId,
  companionName: companions.name,
  week: digests.week,
  weekStart: digests.weekStart,
  stats: sql<DigestStats>`${digests.stats}`,
  letter: digests.letter,
  method: sql<"model" | "template">`${digests.method}`,
  createdAt: digests.createdAt,
};

/** My digests, newest week first, keyset-paged on (week_start, id) through digests_user_week_idx. */
export async function listDigests(db: Database, params: { userId: string; cursor?: string | undefined; limit: number }): Promise<Page<Digest>> {
  const after = params.cursor ? decodeDigestCursor(params.cursor) : undefined;
  const rows = await db
    .select(digestColumns)
    .from(digests)
    .innerJoin(companions, eq(companions.id, digests.companionId))
    .where(
      and(
        eq(digests.userId, params.userId),
        after ? sql`(${digests.weekStart}, ${digests.id}) < (${after.weekStart}::date, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(digests.weekStart), desc(digests.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (last) => encodeDigestCursor({ weekStart: last.weekStart, id: last.id }));
}

/** My digest with a companion for an ISO week; NOT_FOUND when there is none (or it is not mine). */
export async function getDigest(db: Database, params: { userId: string; companionId: string; week: string }): Promise<Digest> {
  const [row] = await db
    .select(digestColumns)
    .from(digests)
    .innerJoin(companions, eq(companions.id, digests.companionId))
    .where(and(eq(digests.userId, params.userId), eq(digests.companionId, params.companionId), eq(digests.week, params.week)));
  if (!row) throw notFound("Digest");
  return row;
}
