import { z } from "zod";
import { dayInput, isoDateTime, page, pageInput, uuid } from "./common.ts";
import { isoDate, moodLabel } from "./companions.ts";

/**
 * Insights work in UTC calendar days (YYYY-MM-DD). Series carry one entry per day of the
 * range; a day without data has a null mood / null scores / zero counts, so gaps stay visible.
 */
const INSIGHTS_MAX_DAYS = 365;
const MOOD_HISTORY_MAX_DAYS = 366;

const DAY_MS = 86_400_000;
const nullableScore = z.number().int().min(0).max(100).nullable();

export const insightsOverviewInput = z.object({ companionId: uuid, days: z.number().int().min(1).max(INSIGHTS_MAX_DAYS).default(30) });

const dailyMood = z.object({ date: isoDate, mood: moodLabel.nullable() });
const dailyScores = z.object({ date: isoDate, affection: nullableScore, trust: nullableScore, energy: nullableScore });
const dailyMoodWithScores = dailyMood.extend(dailyScores.shape);

const scoreChange = z.object({ affection: z.number().int(), trust: z.number().int(), energy: z.number().int() });

const insightsOverview = z.object({
  companionId: uuid,
  /** Inclusive UTC day range: the last `days` days, today included. */
  from: isoDate,
  to: isoDate,
  moodSeries: z.array(dailyMood),
  scoreTrend: z.object({
    points: z.array(dailyScores),
    /** Last recorded scores minus first recorded scores in the range; null with fewer than one recorded day. */
    change: scoreChange.nullable(),
  }),
  messagesPerDay: z.array(z.object({ date: isoDate, user: z.number().int().min(0), assistant: z.number().int().min(0) })),
  /** All time. A day counts when I sent at least one message; the current streak survives until the end of the next UTC day. */
  streaks: z.object({ current: z.number().int().min(0), longest: z.number().int().min(0), lastTalkedOn: isoDate.nullable() }),
  /** All time. */
  memoryCount: z.number().int().min(0),
  /** My top 5 emoji on this companion's stories, reactions made within the range. */
  topReactions: z.array(z.object({ emoji: z.string(), count: z.number().int().min(1) })),
});
export type InsightsOverview = z.infer<typeof insightsOverview>;
export const insightsOverviewOutput = insightsOverview;

export const insightsMoodHistoryInput = z
  .object({ companionId: uuid, from: dayInput, to: dayInput })
  .refine((v) => v.from <= v.to, { message: "from must not be after to", path: ["from"] })
  .refine((v) => (Date.parse(v.to) - Date.parse(v.from)) / DAY_MS + 1 <= MOOD_HISTORY_MAX_DAYS, {
    message: `At most ${MOOD_HISTORY_MAX_DAYS} days`,
    path: ["to"],
  });

export const insightsMoodHistoryOutput = z.object({ companionId: uuid, from: isoDate, to: isoDate, days: z.array(dailyMoodWithScores) });

/** The Monday (UTC date, YYYY-MM-DD) of an ISO week "2026-W49"; weeks 1–52/53 by ISO 8601. */
export function isoWeekStart(week: string): string {
  const year = Number(week.slice(0, 4));
  const n = Number(week.slice(6));
  // January 4th is always in week 1; its Monday starts the ISO year.
  const jan4 = Date.UTC(year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(monday + (n - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO week ("2026-W49") that contains `at` (UTC). */
export function isoWeekOf(at: Date): string {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  // The week's Thursday decides its year.
  const thursday = new Date(day + (3 - ((new Date(day).getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const n = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(n).padStart(2, "0")}`;
}

/** An ISO week that exists ("2026-W53" does, "2025-W53" does not). */
export const isoWeek = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, "Expected an ISO week, e.g. 2026-W49")
  .refine((w) => Number(w.slice(0, 4)) >= 1970 && Number(w.slice(6)) >= 1 && isoWeekOf(new Date(isoWeekStart(w))) === w, { message: "No such ISO week" });

const digestStats = z.object({
  userMessages: z.number().int().min(0),
  companionMessages: z.number().int().min(0),
  /** Days (in my time zone) I wrote at least once. */
  daysTalked: z.number().int().min(0).max(7),
  /** Consecutive days I wrote, ending on my last such day of the week. */
  streak: z.number().int().min(0),
  /** The companion's mood at the first and last recorded day of the week, and each recorded day. */
  mood: z.object({
    start: moodLabel.nullable(),
    end: moodLabel.nullable(),
    days: z.array(z.object({ date: isoDate, mood: moodLabel, affection: z.number().int().min(0).max(100) })),
  }),
  /** Memories made that week: how many, and the (up to) 3 most important. */
  memories: z.object({ count: z.number().int().min(0), top: z.array(z.string()) }),
  /** My top (up to) 3 emoji on this companion's stories that week. */
  topReactions: z.array(z.object({ emoji: z.string(), count: z.number().int().min(1) })),
});

const digest = z.object({
  id: uuid,
  companionId: uuid,
  companionName: z.string(),
  week: z.string(),
  /** Monday of the week. */
  weekStart: isoDate,
  stats: digestStats,
  /** A short letter from the companion about the week. */
  letter: z.string(),
  /** `model`: written by the model; `template`: the offline letter. */
  method: z.enum(["model", "template"]),
  createdAt: isoDateTime,
});
export type Digest = z.infer<typeof digest>;

/** My weekly digests, newest week first. */
export const insightsDigestsInput = pageInput;
export const insightsDigestsOutput = page(digest);
export const insightsDigestInput = z.object({ companionId: uuid, week: isoWeek });
export const insightsDigestOutput = digest;

/** One daily meter; `limit` null: unlimited. */
const quotaMeter = z.object({ used: z.number().int().min(0), limit: z.number().int().min(1).nullable() });

/**
 * `insights.usage`: what I used today of my daily limits (docs/quotas.md). `day` is my calendar
 * day in my time zone; the meters start from 0 at `resetsAt`, my next midnight. `spent`: my
 * next message is answered by the offline persona, without the model (`degraded: "quota"`).
 */
export const insightsUsageOutput = z.object({
  day: isoDate,
  timeZone: z.string(),
  resetsAt: isoDateTime,
  /** My messages to companions today. */
  messages: quotaMeter,
  /** Prompt plus completion tokens of the model calls made for me today (chat, and background work such as memories). */
  tokens: quotaMeter,
  spent: z.boolean(),
});
export type InsightsUsage = z.infer<typeof insightsUsageOutput>;
