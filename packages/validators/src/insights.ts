import { z } from "zod";
import { dayInput, uuid } from "./common.ts";
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
