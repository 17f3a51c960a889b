import { sql } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { utcDay, type RelationshipMood } from "../relationship/model.ts";
import type { Database } from "../types.ts";
import { rowsOf } from "../raw-sql.ts";
import { assertCompanionVisible, companionVisibleTo } from "./companions/visibility.ts";

/**
 * Insights over one relationship. Every day is a UTC calendar day (YYYY-MM-DD); series have one
 * entry per day of the range, with nulls or zeros where there is no data, so gaps stay visible.
 */

export interface DailyMood {
  date: string;
  mood: RelationshipMood | null;
  affection: number | null;
  trust: number | null;
  energy: number | null;
}

interface DailyMessages {
  date: string;
  user: number;
  assistant: number;
}

export interface InsightsOverview {
  from: string;
  to: string;
  days: DailyMood[];
  messagesPerDay: DailyMessages[];
  /** Over all time; a day counts when I sent at least one message. */
  streaks: { current: number; longest: number; lastTalkedOn: string | null };
  /** Over all time. */
  memoryCount: number;
  /** My most used emoji on this companion's stories, created in the range; at most 5. */
  topReactions: { emoji: string; count: number }[];
}

const DAY_MS = 86_400_000;

/** The inclusive UTC day range of `days` days ending on `now`'s day. */
function dayRange(now: Date, days: number): { from: string; to: string } {
  return { from: utcDay(new Date(now.getTime() - (days - 1) * DAY_MS)), to: utcDay(now) };
}

const dayCount = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;

// The days of the range as a set-returning expression, from integers: no session time zone involved.
const rangeDays = (from: string, to: string) => sql`(select (${from}::date + i) as day from generate_series(0, ${dayCount(from, to) - 1}::int) as i)`;

async function queryDailyMood(db: Database, p: { userId: string; companionId: string; from: string; to: string }): Promise<DailyMood[]> {
  const result = await db.execute(sql`
    select to_char(d.day, 'YYYY-MM-DD') as date, mh.mood, mh.affection, mh.trust, mh.energy
    from ${rangeDays(p.from, p.to)} d
    left join mood_history mh on mh.user_id = ${p.userId} and mh.companion_id = ${p.companionId} and mh.recorded_on = d.day
    order by d.day`);
  return rowsOf(result) as DailyMood[];
}

async function queryMessagesPerDay(db: Database, p: { userId: string; companionId: string; from: string; to: string }): Promise<DailyMessages[]> {
  // The range predicate on created_at keeps the conversation index range scan; the bounds are UTC midnights.
  const result = await db.execute(sql`
    select to_char(d.day, 'YYYY-MM-DD') as date, coalesce(c.user_count, 0) as "user", coalesce(c.assistant_count, 0) as assistant
    from ${rangeDays(p.from, p.to)} d
    left join (
      select (m.created_at at time zone 'UTC')::date as day,
        (count(*) filter (where m.role = 'user'))::int as user_count,
        (count(*) filter (where m.role = 'assistant'))::int as assistant_count
      from messages m
      where m.user_id = ${p.userId} and m.companion_id = ${p.companionId}
        and m.created_at >= (${p.from}::date)::timestamp at time zone 'UTC'
        and m.created_at < (${p.to}::date + 1)::timestamp at time zone 'UTC'
      group by 1
    ) c on c.day = d.day
    order by d.day`);
  return rowsOf(result) as DailyMessages[];
}

interface Scalars {
  visible: boolean;
  memoryCount: number;
  currentStreak: number;
  longestStreak: number;
  lastTalkedOn: string | null;
}

/**
 * Visibility, memory count and streaks in one statement. Streaks are gaps-and-islands over
 * the distinct UTC days with a user message: consecutive days share `day - row_number()`.
 * The current streak is the island ending today or yesterday (today may not be over yet).
 */
async function queryScalars(db: Database, p: { userId: string; companionId: string; today: string }): Promise<Scalars | undefined> {
  const result = await db.execute(sql`
    with talked as (
      select distinct (created_at at time zone 'UTC')::date as day
      from messages where user_id = ${p.userId} and companion_id = ${p.companionId} and role = 'user'
    ), islands as (
      select max(day) as last_day, count(*)::int as len
      from (select day, day - (row_number() over (order by day))::int as grp from talked) t
      group by grp
    )
    select
      exists (select 1 from companions where companions.id = ${p.companionId} and ${companionVisibleTo(p.userId)}) as visible,
      (select count(*)::int from memories where user_id = ${p.userId} and companion_id = ${p.companionId}) as "memoryCount",
      coalesce((select max(len) from islands where last_day >= ${p.today}::date - 1), 0)::int as "currentStreak",
      coalesce((select max(len) from islands), 0)::int as "longestStreak",
      (select to_char(max(last_day), 'YYYY-MM-DD') from islands) as "lastTalkedOn"`);
  const [row] = rowsOf(result);
  return row as Scalars | undefined;
}

async function queryTopReactions(db: Database, p: { userId: string; companionId: string; from: string }): Promise<{ emoji: string; count: number }[]> {
  const result = await db.execute(sql`
    select r.emoji, count(*)::int as count
    from story_reactions r join stories s on s.id = r.story_id
    where r.user_id = ${p.userId} and s.author_companion_id = ${p.companionId}
      and r.created_at >= (${p.from}::date)::timestamp at time zone 'UTC'
    group by r.emoji
    order by count desc, r.emoji
    limit 5`);
  return rowsOf(result) as { emoji: string; count: number }[];
}

/** Insights for the last `days` UTC days (today included). NOT_FOUND for a companion I may not see. */
export async function getInsightsOverview(
  db: Database,
  params: { userId: string; companionId: string; days: number; now?: Date },
): Promise<InsightsOverview> {
  const { from, to } = dayRange(params.now ?? new Date(), params.days);
  const p = { userId: params.userId, companionId: params.companionId, from, to };
  // Independent reads, issued together: postgres.js pipelines them on the transaction's connection.
  const [scalars, days, messagesPerDay, topReactions] = await Promise.all([
    queryScalars(db, { ...p, today: to }),
    queryDailyMood(db, p),
    queryMessagesPerDay(db, p),
    queryTopReactions(db, p),
  ]);
  if (!scalars?.visible) throw notFound("Companion");
  return {
    from,
    to,
    days,
    messagesPerDay,
    streaks: { current: scalars.currentStreak, longest: scalars.longestStreak, lastTalkedOn: scalars.lastTalkedOn },
    memoryCount: scalars.memoryCount,
    topReactions,
  };
}

/** One entry per UTC day from `from` to `to` (inclusive); null scores where no row was written. */
export async function getMoodHistory(db: Database, params: { userId: string; companionId: string; from: string; to: string }): Promise<DailyMood[]> {
  const [, days] = await Promise.all([assertCompanionVisible(db, params.userId, params.companionId), queryDailyMood(db, params)]);
  return days;
}
