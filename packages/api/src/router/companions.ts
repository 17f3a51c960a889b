import { fillMacros } from "@companion/ai";
import {
  connectCompanion,
  disconnectCompanion,
  getCompanion,
  getRelationship,
  listCompanions,
  setProactiveEnabled,
} from "@companion/db";
import {
  companionsByIdInput,
  companionsByIdOutput,
  companionsConnectInput,
  companionsConnectOutput,
  companionsDisconnectInput,
  companionsDisconnectOutput,
  companionsListInput,
  companionsListOutput,
  companionsRelationshipInput,
  companionsRelationshipOutput,
  companionsSetProactiveInput,
  companionsSetProactiveOutput,
} from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireCompanion, toWireRelationship, toWireRelationshipDetail } from "../wire/companions.ts";

export const companionsRouter = router({
  /** Companions I may see (public or mine), by slug, keyset-paged; each with my relationship or null. */
  list: userProcedure
    .input(companionsListInput)
    .output(companionsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listCompanions(ctx.db, { userId: ctx.user.id, ...input });
      return { items: page.items.map(toWireCompanion), nextCursor: page.nextCursor };
    }),

  byId: userProcedure
    .input(companionsByIdInput)
    .output(companionsByIdOutput)
    .query(async ({ ctx, input }) =>
      toWireCompanion(await getCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),
    ),

  /** Idempotent: connecting twice keeps the first state. A new conversation opens with the companion's greeting. */
  connect: userProcedure
    .input(companionsConnectInput)
    .output(companionsConnectOutput)
    .mutation(async ({ ctx, input }) =>
      toWireRelationship(await connectCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId, renderGreeting: fillMacros })),
    ),

  /** Idempotent: `disconnected` is false when there was nothing to remove. */
  disconnect: userProcedure
    .input(companionsDisconnectInput)
    .output(companionsDisconnectOutput)
    .mutation(async ({ ctx, input }) =>
      disconnectCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId }),
    ),

  relationship: userProcedure
    .input(companionsRelationshipInput)
    .output(companionsRelationshipOutput)
    .query(async ({ ctx, input }) =>
      toWireRelationshipDetail(await getRelationship(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),
    ),

  /** This companion may (or may not) write first to me; NOT_FOUND when I am not connected to it. */
  setProactive: userProcedure
    .input(companionsSetProactiveInput)
    .output(companionsSetProactiveOutput)
    .mutation(async ({ ctx, input }) =>
      toWireRelationship(await setProactiveEnabled(ctx.db, { userId: ctx.user.id, companionId: input.companionId, enabled: input.enabled })),
    ),
});
