import { getInsightsOverview, getMoodHistory, type InsightsOverview as DbOverview } from "@companion/db";
import { insightsOverview, insightsOverviewInput, moodHistoryInput, moodHistoryOutput, type InsightsOverview } from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";

type Scores = { affection: number; trust: number; energy: number };

// Change between the first and last day that have scores; null when none does.
function scoreChange(days: DbOverview["days"]): Scores | null {
  const recorded = days.flatMap((d) => (d.affection !== null && d.trust !== null && d.energy !== null ? [{ affection: d.affection, trust: d.trust, energy: d.energy }] : []));
  const first = recorded[0];
  const last = recorded[recorded.length - 1];
  if (!first || !last) return null;
  return { affection: last.affection - first.affection, trust: last.trust - first.trust, energy: last.energy - first.energy };
}

const toWireOverview = (companionId: string, o: DbOverview): InsightsOverview => ({
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

export const insightsRouter = router({
  /** The last `days` UTC days of one relationship: mood, scores, messages, streaks, memories, reactions. */
  overview: userProcedure
    .input(insightsOverviewInput)
    .output(insightsOverview)
    .query(async ({ ctx, input }) =>
      toWireOverview(input.companionId, await getInsightsOverview(ctx.db, { userId: ctx.user.id, ...input })),
    ),

  /** One entry per UTC day from `from` to `to`, inclusive; null where nothing was recorded. */
  moodHistory: userProcedure
    .input(moodHistoryInput)
    .output(moodHistoryOutput)
    .query(async ({ ctx, input }) => ({
      ...input,
      days: await getMoodHistory(ctx.db, { userId: ctx.user.id, ...input }),
    })),
});
