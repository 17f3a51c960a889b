import { getDigest, getInsightsOverview, getMoodHistory, getQuotaUsage, listDigests, notFound } from "@companion/db";
import {
  insightsDigestInput,
  insightsDigestOutput,
  insightsDigestsInput,
  insightsDigestsOutput,
  insightsMoodHistoryInput,
  insightsMoodHistoryOutput,
  insightsOverviewInput,
  insightsOverviewOutput,
  insightsUsageOutput,
} from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { nextMessageDegraded } from "../services/quota.ts";
import { toWireDigest, toWireOverview, toWireUsage } from "../wire/insights.ts";

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

  /** My weekly digests (docs/insights.md), newest week first; INVALID_CURSOR for a cursor of another list. */
  digests: userProcedure
    .input(insightsDigestsInput)
    .output(insightsDigestsOutput)
    .query(async ({ ctx, input }) => {
      const page = await listDigests(ctx.db, { userId: ctx.user.id, ...input });
      return { items: page.items.map(toWireDigest), nextCursor: page.nextCursor };
    }),

  /** What I used today of my daily limits on messages and model tokens, and when they reset (docs/quotas.md). */
  usage: userProcedure.output(insightsUsageOutput).query(async ({ ctx }) => {
    const usage = await getQuotaUsage(ctx.db, { userId: ctx.user.id, now: new Date(), defaults: ctx.services.quotas });
    if (!usage) throw notFound("User");
    return toWireUsage(usage, nextMessageDegraded(usage) !== null);
  }),

  /** My digest with a companion for an ISO week ("2026-W49"); NOT_FOUND when there is none. */
  digest: userProcedure
    .input(insightsDigestInput)
    .output(insightsDigestOutput)
    .query(async ({ ctx, input }) => toWireDigest(await getDigest(ctx.db, { userId: ctx.user.id, ...input }))),
});
