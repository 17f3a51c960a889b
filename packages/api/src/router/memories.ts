import { createMemory, deleteMemory, getMySummary, listMemories, listSummaries, updateMemory, type Database } from "@companion/db";
import {
  memoriesCreateInput,
  memoriesCreateOutput,
  memoriesDeleteInput,
  memoriesDeleteOutput,
  memoriesListInput,
  memoriesListOutput,
  memoriesSummariesInput,
  memoriesSummariesOutput,
  memoriesSummaryInput,
  memoriesSummaryOutput,
  memoriesUpdateInput,
  memoriesUpdateOutput,
  type MemoriesCreateInput,
} from "@companion/validators";
import { TRPCError } from "@trpc/server";
import type { Context } from "../context.ts";
import { router, userProcedure } from "../trpc.ts";
import { toWireConversationSummary, toWireMemory } from "../wire/memories.ts";

// The input schema guarantees one of the two shapes; this narrows it for the query function.
function createParams(userId: string, input: MemoriesCreateInput) {
  if (input.messageId !== undefined) return { userId, messageId: input.messageId, title: input.title };
  if (input.companionId === undefined || input.content === undefined) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "companionId and content, or messageId, are required" });
  }
  return { userId, companionId: input.companionId, content: input.content, title: input.title };
}

// Hybrid search keeps an embedding per memory: (re)computed by a job, in the write's transaction.
async function embedForSearch(ctx: Context, db: Database, memoryId: string): Promise<void> {
  if (ctx.services.search.embedder) await ctx.services.jobs.enqueue(db, "search.embed", { kind: "memory", ids: [memoryId] });
}

export const memoriesRouter = router({
  /** Mine, pinned first, then newest; keyset-paged with an opaque cursor. */
  list: userProcedure
    .input(memoriesListInput)
    .output(memoriesListOutput)
    .query(async ({ ctx, input }) => {
      const res = await listMemories(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map(toWireMemory), nextCursor: res.nextCursor };
    }),

  /** Free text, or saved from one of my messages; also counts as a "memory" interaction. */
  create: userProcedure
    .input(memoriesCreateInput)
    .output(memoriesCreateOutput)
    .mutation(async ({ ctx, input }) => {
      const memory = await createMemory(ctx.db, createParams(ctx.user.id, input));
      await embedForSearch(ctx, ctx.db, memory.id);
      return toWireMemory(memory);
    }),

  /** Title, content, pinned or importance of one of my memories, manual or automatic; NOT_FOUND if not mine. */
  update: userProcedure
    .input(memoriesUpdateInput)
    .output(memoriesUpdateOutput)
    .mutation(async ({ ctx, input }) => {
      const memory = await updateMemory(ctx.db, { userId: ctx.user.id, ...input });
      if (input.title !== undefined || input.content !== undefined) await embedForSearch(ctx, ctx.db, memory.id);
      return toWireMemory(memory);
    }),

  /** The latest rolling summary of my conversation with a companion, or null; NOT_FOUND if I may not see it. */
  summary: userProcedure
    .input(memoriesSummaryInput)
    .output(memoriesSummaryOutput)
    .query(async ({ ctx, input }) => {
      const latest = await getMySummary(ctx.db, { userId: ctx.user.id, companionId: input.companionId });
      return latest ? toWireConversationSummary(latest) : null;
    }),

  /** Every version of that summary, newest first; keyset-paged. NOT_FOUND if I may not see the companion. */
  summaries: userProcedure
    .input(memoriesSummariesInput)
    .output(memoriesSummariesOutput)
    .query(async ({ ctx, input }) => {
      const res = await listSummaries(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map(toWireConversationSummary), nextCursor: res.nextCursor };
    }),

  delete: userProcedure
    .input(memoriesDeleteInput)
    .output(memoriesDeleteOutput)
    .mutation(async ({ ctx, input }) => {
      await deleteMemory(ctx.db, { userId: ctx.user.id, memoryId: input.memoryId });
      return { deleted: true as const };
    }),
});
