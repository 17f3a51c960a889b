import {
  connectCompanion,
  disconnectCompanion,
  getCompanion,
  getRelationship,
  listCompanions,
  withUser,
  type CompanionWithRelationship,
  type RelationshipDetail as DbRelationshipDetail,
  type RelationshipState as DbRelationshipState,
} from "@companion/db";
import {
  companion,
  companionIdInput,
  companionListInput,
  companionListOutput,
  disconnectOutput,
  relationshipDetail,
  relationshipState,
  type Companion,
  type RelationshipDetail,
  type RelationshipState,
} from "@companion/validators";
import { protectedProcedure, router } from "../trpc.ts";

export const toWireRelationship = (r: DbRelationshipState): RelationshipState => ({
  companionId: r.companionId,
  affection: r.affection,
  trust: r.trust,
  energy: r.energy,
  mood: r.mood,
  interactionCount: r.interactionCount,
  lastInteractionAt: r.lastInteractionAt?.toISOString() ?? null,
  connectedAt: r.createdAt.toISOString(),
});

// Field by field, so a column added to the query result never reaches the wire unnoticed.
const toWireCompanion = (c: CompanionWithRelationship): Companion => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  tagline: c.tagline,
  bio: c.bio,
  avatarUrl: c.avatarUrl,
  traits: c.traits,
  relationship: c.relationship ? toWireRelationship(c.relationship) : null,
});

const toWireDetail = (d: DbRelationshipDetail): RelationshipDetail => ({ ...toWireRelationship(d), history: d.history });

export const companionsRouter = router({
  /** Companions I may see (public or mine), by slug, keyset-paged; each with my relationship or null. */
  list: protectedProcedure
    .input(companionListInput)
    .output(companionListOutput)
    .query(async ({ ctx, input }) => {
      const res = await withUser(ctx.services.db, ctx.user.id, (tx) => listCompanions(tx, { userId: ctx.user.id, ...input }));
      return { items: res.items.map(toWireCompanion), nextCursor: res.nextCursor };
    }),

  byId: protectedProcedure
    .input(companionIdInput)
    .output(companion)
    .query(async ({ ctx, input }) =>
      toWireCompanion(await withUser(ctx.services.db, ctx.user.id, (tx) => getCompanion(tx, { userId: ctx.user.id, companionId: input.companionId }))),
    ),

  /** Idempotent: connecting twice keeps the first state. */
  connect: protectedProcedure
    .input(companionIdInput)
    .output(relationshipState)
    .mutation(async ({ ctx, input }) =>
      toWireRelationship(await withUser(ctx.services.db, ctx.user.id, (tx) => connectCompanion(tx, { userId: ctx.user.id, companionId: input.companionId }))),
    ),

  /** Idempotent: `disconnected` is false when there was nothing to remove. */
  disconnect: protectedProcedure
    .input(companionIdInput)
    .output(disconnectOutput)
    .mutation(async ({ ctx, input }) =>
      withUser(ctx.services.db, ctx.user.id, (tx) => disconnectCompanion(tx, { userId: ctx.user.id, companionId: input.companionId })),
    ),

  relationship: protectedProcedure
    .input(companionIdInput)
    .output(relationshipDetail)
    .query(async ({ ctx, input }) =>
      toWireDetail(await withUser(ctx.services.db, ctx.user.id, (tx) => getRelationship(tx, { userId: ctx.user.id, companionId: input.companionId }))),
    ),
});
