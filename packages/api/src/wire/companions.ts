import type { CompanionWithRelationship, RelationshipDetail as DbRelationshipDetail, RelationshipState as DbRelationshipState } from "@companion/db";
import type { Companion, RelationshipDetail, RelationshipState } from "@companion/validators";

export const toWireRelationship = (r: DbRelationshipState): RelationshipState => ({
  companionId: r.companionId,
  affection: r.affection,
  trust: r.trust,
  energy: r.energy,
  mood: r.mood,
  interactionCount: r.interactionCount,
  lastInteractionAt: r.lastInteractionAt?.toISOString() ?? null,
  proactiveEnabled: r.proactiveEnabled,
  connectedAt: r.createdAt.toISOString(),
});

// Field by field, so a column added to the query result never reaches the wire unnoticed.
export const toWireCompanion = (c: CompanionWithRelationship): Companion => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  tagline: c.tagline,
  bio: c.bio,
  avatarUrl: c.avatarUrl,
  traits: c.traits,
  relationship: c.relationship ? toWireRelationship(c.relationship) : null,
});

export const toWireRelationshipDetail = (d: DbRelationshipDetail): RelationshipDetail => ({ ...toWireRelationship(d), history: d.history });
