import { fillMacros } from "@companion/ai";
import {
  type CharacterBook,
  connectCompanion,
  createCompanion,
  deleteCompanion,
  disconnectCompanion,
  getCompanion,
  getOwnCompanion,
  getRelationship,
  listCompanions,
  listConnectedCompanions,
  listOwnCompanions,
  setProactiveEnabled,
  updateCompanion,
} from "@companion/db";
import {
  companionsByIdInput,
  companionsByIdOutput,
  companionsConnectedInput,
  companionsConnectedOutput,
  companionsConnectInput,
  companionsConnectOutput,
  companionsCreateInput,
  companionsCreateOutput,
  companionsDeleteInput,
  companionsDeleteOutput,
  companionsDisconnectInput,
  companionsExportCardInput,
  companionsExportCardOutput,
  companionsImportCardInput,
  companionsImportCardOutput,
  companionsDisconnectOutput,
  companionsListInput,
  companionsListOutput,
  companionsMineInput,
  companionsMineOutput,
  companionsOwnInput,
  companionsOwnOutput,
  companionsRelationshipInput,
  companionsRelationshipOutput,
  companionsSetProactiveInput,
  companionsSetProactiveOutput,
  companionsUpdateInput,
  companionsUpdateOutput,
} from "@companion/validators";
import { cardPng, companionToCard, importCard } from "../services/character-cards.ts";
import { router, userProcedure } from "../trpc.ts";
import { toWireCompanion, toWireConnectedCompanion, toWireOwnCompanion, toWireOwnCompanionPage, toWireRelationship, toWireRelationshipDetail } from "../wire/companions.ts";

export const companionsRouter = router({
  /** Companions I may see (public or mine), by slug, keyset-paged; each with my relationship or null. */
  list: userProcedure
    .input(companionsListInput)
    .output(companionsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listCompanions(ctx.db, { userId: ctx.user.id, ...input });
      return { items: await Promise.all(page.items.map((c) => toWireCompanion(c, ctx.user.id, ctx.services.media))), nextCursor: page.nextCursor };
    }),

  /**
   * The companions I am connected with (docs/companions.md#connected), newest connection first,
   * keyset-paged; unlisted ones included, each with my relationship.
   */
  connected: userProcedure
    .input(companionsConnectedInput)
    .output(companionsConnectedOutput)
    .query(async ({ ctx, input }) => {
      const page = await listConnectedCompanions(ctx.db, { userId: ctx.user.id, ...input });
      return { items: await Promise.all(page.items.map((c) => toWireConnectedCompanion(c, ctx.user.id, ctx.services.media))), nextCursor: page.nextCursor };
    }),

  /** A public or unlisted companion, or mine; NOT_FOUND for anyone else's private one. */
  byId: userProcedure
    .input(companionsByIdInput)
    .output(companionsByIdOutput)
    .query(async ({ ctx, input }) =>
      toWireCompanion(await getCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId }), ctx.user.id, ctx.services.media),
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

  /**
   * A companion of my own (docs/companions.md), private unless I say otherwise. QUOTA_EXCEEDED
   * (429) past the daily quota; BAD_REQUEST for an avatarKey that is not my uploaded image.
   */
  create: userProcedure
    .input(companionsCreateInput)
    .output(companionsCreateOutput)
    .mutation(async ({ ctx, input }) =>
      toWireOwnCompanion(
        await createCompanion(ctx.db, { userId: ctx.user.id, definition: input, ...(ctx.services.companionDailyQuota ? { dailyQuota: ctx.services.companionDailyQuota } : {}) }),
        ctx.services.media,
      ),
    ),

  /** Changes the given fields of my companion; NOT_FOUND unless it is mine. */
  update: userProcedure
    .input(companionsUpdateInput)
    .output(companionsUpdateOutput)
    .mutation(async ({ ctx, input }) => {
      const { companionId, ...patch } = input;
      return toWireOwnCompanion(await updateCompanion(ctx.db, { userId: ctx.user.id, companionId, patch }), ctx.services.media);
    }),

  /**
   * Deletes my companion and every conversation anyone had with it. Idempotent (`deleted`: false
   * when there was nothing to delete); NOT_FOUND for a companion I may see but do not own.
   */
  delete: userProcedure
    .input(companionsDeleteInput)
    .output(companionsDeleteOutput)
    .mutation(async ({ ctx, input }) => deleteCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),

  /** My own companions, newest first, with every field (private ones included). */
  mine: userProcedure
    .input(companionsMineInput)
    .output(companionsMineOutput)
    .query(async ({ ctx, input }) => toWireOwnCompanionPage(await listOwnCompanions(ctx.db, { userId: ctx.user.id, ...input }), ctx.services.media)),

  /** One of my companions with every field; NOT_FOUND unless it is mine. */
  own: userProcedure
    .input(companionsOwnInput)
    .output(companionsOwnOutput)
    .query(async ({ ctx, input }) =>
      toWireOwnCompanion(await getOwnCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId }), ctx.services.media),
    ),

  /**
   * A companion of my own from a Character Card V2/V3, as JSON or PNG (docs/character-cards.md).
   * Counts against the daily quota; BAD_REQUEST naming the field for a bad card, and then nothing is written.
   */
  importCard: userProcedure
    .input(companionsImportCardInput)
    .output(companionsImportCardOutput)
    .mutation(async ({ ctx, input }) => {
      const { definition, characterBook, extensions } = importCard(input);
      const created = await createCompanion(ctx.db, {
        userId: ctx.user.id,
        definition: { ...definition, visibility: input.visibility, avatarKey: null, characterBook: characterBook as CharacterBook | null, extensions },
        ...(ctx.services.companionDailyQuota ? { dailyQuota: ctx.services.companionDailyQuota } : {}),
      });
      return toWireOwnCompanion(created, ctx.services.media);
    }),

  /** My companion as a V3 card, JSON or PNG (`ccv3` and a V2 `chara` chunk); NOT_FOUND unless it is mine. */
  exportCard: userProcedure
    .input(companionsExportCardInput)
    .output(companionsExportCardOutput)
    .query(async ({ ctx, input }) => {
      const companion = await getOwnCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId });
      if (input.format === "json") return { format: "json" as const, card: companionToCard(companion) };
      const png = cardPng(companion);
      return { format: "png" as const, dataBase64: Buffer.from(png.bytes).toString("base64"), contentType: "image/png" as const, filename: png.filename };
    }),
});
