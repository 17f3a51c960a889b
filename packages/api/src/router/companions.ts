import {
  connectCompanion,
  disconnectCompanion,
  getCompanion,
  getRelationship,
  listCompanions,
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
import { router, userProcedure } from "../trpc.ts";

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
  list: userProcedure
    .input(companionListInput)
    .output(companionListOutput)
    .query(async ({ ctx, input }) => {
      const res = await listCompanions(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map(toWireCompanion), nextCursor: res.nextCursor };
    }),

  byId: userProcedure
    .input(companionIdInput)
    .output(companion)
    .query(async ({ ctx, input }) =>
      toWireCompanion(await getCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),
    ),

  /** Idempotent: connecting twice keeps the first state. */
  connect: userProcedure
    .input(companionIdInput)
    .output(relationshipState)
    .mutation(async ({ ctx, input }) =>
      toWireRelationship(await connectCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),
    ),

  /** Idempotent: `disconnected` is false when there was nothing to remove. */
  disconnect: userProcedure
    .input(companionIdInput)
    .output(disconnectOutput)
    .mutation(async ({ ctx, input }) =>
      disconnectCompanion(ctx.db, { userId: ctx.user.id, companionId: input.companionId }),
    ),

  relationship: userProcedure
    .input(companionIdInput)
    .output(relationshipDetail)
    .query(async ({ ctx, input }) =>
      toWireDetail(await getRelationship(ctx.db, { userId: ctx.user.id, companionId: input.companionId })),
    ),
});
