import { getInsightsOverview, getMoodHistory } from "@companion/db";
import { insightsMoodHistoryInput, insightsMoodHistoryOutput, insightsOverviewInput, insightsOverviewOutput } from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireOverview } from "../wire/insights.ts";

export const insightsRouter = router({
  /** The last `days` UTC days of one relationship: mood, scores, messages, streaks, memories, reactions. */
  overview: userProcedure
    .input(insightsOverviewInput)
    .output(insightsOverviewOutput)
    .query(async ({ ctx, input }) =>
      toWireOverview(input.companionId, await getInsightsOverview(ctx.db, { userId: ctx.user.id, ...input })),
    ),

  /** One entry per UTC day from `from` to `to`, inclusive; null where nothing was recorded. */
  moodHistory: userProcedure
    .input(insightsMoodHistoryInput)
    .output(insightsMoodHistoryOutput)
    .query(async ({ ctx, input }) => ({
      ...input,
      days: await getMoodHistory(ctx.db, { userId: ctx.user.id, ...input }),
    })),
});
