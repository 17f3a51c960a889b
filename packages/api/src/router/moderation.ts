import { fileReport } from "@companion/db";
import { moderationReportInput, moderationReportOutput } from "@companion/validators";
import { rateLimited } from "../rate-limit.ts";
import { protectedProcedure, router, userScope } from "../trpc.ts";

/** Reports of content and people; operators work the queue with `pnpm admin reports:*` (docs/moderation.md). */
export const moderationRouter = router({
  /**
   * Reports a story, user, companion or message I can see (else NOT_FOUND), with a snapshot of it
   * as it is now. The same target twice is one report: the first is answered again. Rate-limited.
   */
  report: protectedProcedure
    .use(rateLimited("report"))
    .use(userScope)
    .input(moderationReportInput)
    .output(moderationReportOutput)
    .mutation(async ({ ctx, input }) => {
      const r = await fileReport(ctx.db, { userId: ctx.user.id, targetKind: input.target, targetId: input.id, reason: input.reason, note: input.note });
      return { reportId: r.id, target: r.targetKind, id: r.targetId, status: r.status, created: r.created, createdAt: r.createdAt.toISOString() };
    }),
});
