import type { Digest as DbDigest, InsightsOverview as DbOverview, QuotaUsage } from "@companion/db";
import { insightsDigestOutput, type Digest, type InsightsOverview, type InsightsUsage } from "@companion/validators";

type Scores = { affection: number; trust: number; energy: number };

// Change between the first and last day that have scores; null when none does.
function scoreChange(days: DbOverview["days"]): Scores | null {
  const recorded = days.flatMap((d) => (d.affection !== null && d.trust !== null && d.energy !== null ? [{ affection: d.affection, trust: d.trust, energy: d.energy }] : []));
  const first = recorded[0];
  const last = recorded[recorded.length - 1];
  if (!first || !last) return null;
  return { affection: last.affection - first.affection, trust: last.trust - first.trust, energy: last.energy - first.energy };
}

export const toWireOverview = (companionId: string, o: DbOverview): InsightsOverview => ({
  companionId,
  from: o.from,
  to: o.to,
  moodSeries: o.days.map((d) => ({ date: d.date, mood: d.mood })),
  scoreTrend: {
    points: o.days.map((d) => ({ date: d.date, affection: d.affection, trust: d.trust, energy: d.energy })),
    change: scoreChange(o.days),
  },
  messagesPerDay: o.messagesPerDay,
  streaks: o.streaks,
  memoryCount: o.memoryCount,
  topReactions: o.topReactions,
});

/** A stored digest; its stats (jsonb) are checked against the wire schema, not trusted. */
export const toWireDigest = (d: DbDigest): Digest =>
  insightsDigestOutput.parse({
    id: d.id,
    companionId: d.companionId,
    companionName: d.companionName,
    week: d.week,
    weekStart: d.weekStart,
    stats: d.stats,
    letter: d.letter,
    method: d.method,
    createdAt: d.createdAt.toISOString(),
  });

/** Today's usage of my daily limits; `spent` as the chat path decides for my next message (services/quota.ts). */
export const toWireUsage = (u: QuotaUsage, spent: boolean): InsightsUsage => ({
  day: u.day,
  timeZone: u.timeZone,
  resetsAt: u.resetsAt.toISOString(),
  messages: { used: u.messages.used, limit: u.messages.limit },
  tokens: { used: u.tokens.used, limit: u.tokens.limit },
  spent,
});
