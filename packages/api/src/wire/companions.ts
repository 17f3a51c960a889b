import type { CompanionProfile as DbCompanionProfile, CompanionWithRelationship, RelationshipDetail as DbRelationshipDetail, RelationshipState as DbRelationshipState } from "@companion/db";
import type { Companion, CompanionProfile, RelationshipDetail, RelationshipState } from "@companion/validators";

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
/** The public profile (companions.list, the inbox of messages.conversations). */
export const toWireCompanionProfile = (c: DbCompanionProfile): CompanionProfile => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  tagline: c.tagline,
  bio: c.bio,
  avatarUrl: c.avatarUrl,
  traits: c.traits,
});

export const toWireCompanion = (c: CompanionWithRelationship): Companion => ({
  ...toWireCompanionProfile(c),
  relationship: c.relationship ? toWireRelationship(c.relationship) : null,
});

export const toWireRelationshipDetail = (d: DbRelationshipDetail): RelationshipDetail => ({ ...toWireRelationship(d), history: d.history });

