import { eq, sql } from "drizzle-orm";
import { executePrepared, isoText, rowsOf } from "../../raw-sql.ts";
import { userQuotas } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";

/**
 * Daily limits on what costs money (docs/quotas.md): messages a person sends to companions,
 * and the tokens (prompt + completion) of the model calls made for them, per calendar day in
 * their time zone. The deployment's defaults come from QUOTA_MESSAGES_PER_DAY and
 * QUOTA_TOKENS_PER_DAY; `user_quotas` overrides them per person (`pnpm admin user:quota`).
 * Everywhere, 0 means unlimited.
 */
export interface QuotaLimits {
  messagesPerDay: number;
  tokensPerDay: number;
}

/** No limit at all: what a service without configured quotas (a test, a script) applies. */
export const UNLIMITED_QUOTAS: QuotaLimits = { messagesPerDay: 0, tokensPerDay: 0 };

/** One meter of a person's day; `limit` null: unlimited. */
interface QuotaMeter {
  used: number;
  limit: number | null;
}

export interface QuotaUsage {
  /** The person's calendar day (YYYY-MM-DD) in their time zone. */
  day: string;
  timeZone: string;
  /** Their midnight that began `day`, and the next one, when the meters start again from 0. */
  dayStart: Date;
  resetsAt: Date;
  /** My messages to companions sent since `dayStart` (story replies included; proactive messages are the companion's). */
  messages: QuotaMeter;
  /** Prompt plus completion tokens of the model calls recorded for me since `dayStart` (the offline persona's are 0). */
  tokens: QuotaMeter;
  /** This person's overrides (null: the deployment's default). */
  override: { messagesPerDay: number | null; tokensPerDay: number | null };
}

interface UsageRow {
  day: string;
  timeZone: string;
  dayStart: string;
  resetsAt: string;
  messages: number;
  tokens: number;
  messagesOverride: number | null;
  tokensOverride: number | null;
}

const limitOf = (value: number) => (value > 0 ? value : null);

/**
 * A person's usage today and their limits, in one statement: the two sums walk
 * messages_user_created_idx and ai_calls_user_created_idx from the person's midnight. Runs in
 * the user scope (RLS lets me read my own rows) or as service code. Null when there is no such user.
 *
 * `now` is the instant whose day counts (an injected clock in tests). Rows are counted from
 * that day's midnight on, with no upper bound: a clock moved back sees later rows too.
 */
export async function getQuotaUsage(db: Database, params: { userId: string; now: Date; defaults: QuotaLimits }): Promise<QuotaUsage | null> {
  const { userId, now, defaults } = params;
  const result = await executePrepared(
    db,
    "quota_usage",
    sql`
      select d.day, u.time_zone as "timeZone", ${isoText("d.day_start")} as "dayStart", ${isoText("d.resets_at")} as "resetsAt",
        (select count(*)::int from messages m where m.user_id = u.id and m.created_at >= d.day_start and m.role = 'user') as messages,
        (select coalesce(sum(a.prompt_tokens + a.completion_tokens), 0)::float8 from ai_calls a where a.user_id = u.id and a.created_at >= d.day_start) as tokens,
        q.messages_per_day as "messagesOverride", q.tokens_per_day as "tokensOverride"
      from users u
      cross join lateral (select date_trunc('day', ${now.toISOString()}::timestamptz at time zone u.time_zone) as local_day) l
      cross join lateral (
        select to_char(l.local_day, 'YYYY-MM-DD') as day,
          l.local_day at time zone u.time_zone as day_start,
          (l.local_day + interval '1 day') at time zone u.time_zone as resets_at
      ) d
      left join user_quotas q on q.user_id = u.id
      where u.id = ${userId}::uuid`,
  );
  const [row] = rowsOf(result) as UsageRow[];
  if (!row) return null;
  const messagesPerDay = row.messagesOverride ?? defaults.messagesPerDay;
  const tokensPerDay = row.tokensOverride ?? defaults.tokensPerDay;
  return {
    day: row.day,
    timeZone: row.timeZone,
    dayStart: new Date(row.dayStart),
    resetsAt: new Date(row.resetsAt),
    messages: { used: Number(row.messages), limit: limitOf(messagesPerDay) },
    tokens: { used: Number(row.tokens), limit: limitOf(tokensPerDay) },
    override: { messagesPerDay: row.messagesOverride, tokensPerDay: row.tokensOverride },
  };
}

/**
 * Sets a person's overrides (`pnpm admin user:quota`): a number (0: unlimited), null (back to
 * the deployment's default), or undefined (unchanged). A row left with no override is deleted.
 * Service code only (RLS lets a person read their row, never write it).
 */
export async function setUserQuota(
  db: Database,
  params: { userId: string; messagesPerDay?: number | null | undefined; tokensPerDay?: number | null | undefined },
): Promise<{ messagesPerDay: number | null; tokensPerDay: number | null }> {
  const { userId, messagesPerDay, tokensPerDay } = params;
  const changes = {
    ...(messagesPerDay === undefined ? {} : { messagesPerDay }),
    ...(tokensPerDay === undefined ? {} : { tokensPerDay }),
  };
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(userQuotas)
      .values({ userId, messagesPerDay: messagesPerDay ?? null, tokensPerDay: tokensPerDay ?? null })
      .onConflictDoUpdate({ target: userQuotas.userId, set: { ...changes, updatedAt: new Date() } })
      .returning({ messagesPerDay: userQuotas.messagesPerDay, tokensPerDay: userQuotas.tokensPerDay });
    if (!row) throw new Error("upsert into user_quotas returned no row");
    if (row.messagesPerDay === null && row.tokensPerDay === null) await tx.delete(userQuotas).where(eq(userQuotas.userId, userId));
    return row;
  });
}
