import type {
  CompanionProfile as DbCompanionProfile,
  CompanionWithRelationship,
  OwnCompanion as DbOwnCompanion,
  Page,
  RelationshipDetail as DbRelationshipDetail,
  RelationshipState as DbRelationshipState,
} from "@companion/db";
import type { Companion, CompanionProfile, ConnectedCompanion, OwnCompanion, RelationshipDetail, RelationshipState } from "@companion/validators";
import type { MediaService } from "../services/media.ts";

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

/** An uploaded avatar (`avatarKey`) as a signed URL (docs/companions.md#avatar), else the imported `avatarUrl`. */
const avatarUrlOf = (c: { id: string; visibility: Companion["visibility"]; avatarKey: string | null; avatarUrl: string | null }, media: MediaService) =>
  c.avatarKey ? media.avatarUrl(c, c.avatarKey) : Promise.resolve(c.avatarUrl);

// Field by field, so a column added to the query result never reaches the wire unnoticed.
/** The public profile (companions.list, the inbox of messages.conversations). */
export const toWireCompanionProfile = async (c: DbCompanionProfile, media: MediaService): Promise<CompanionProfile> => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  tagline: c.tagline,
  bio: c.bio,
  avatarUrl: await avatarUrlOf(c, media),
  traits: c.traits,
});

export const toWireCompanion = async (c: CompanionWithRelationship, userId: string, media: MediaService): Promise<Companion> => ({
  ...(await toWireCompanionProfile(c, media)),
  visibility: c.visibility,
  ownedByMe: c.ownerUserId === userId,
  relationship: c.relationship ? toWireRelationship(c.relationship) : null,
});

/** companions.connected: a companion with my relationship, which is never null there. */
export const toWireConnectedCompanion = async (
  c: CompanionWithRelationship & { relationship: DbRelationshipState },
  userId: string,
  media: MediaService,
): Promise<ConnectedCompanion> => ({ ...(await toWireCompanion(c, userId, media)), relationship: toWireRelationship(c.relationship) });

/** Only ever for the owner: every private field. */
export const toWireOwnCompanion = async (c: DbOwnCompanion, media: MediaService): Promise<OwnCompanion> => ({
  id: c.id,
  slug: c.slug,
  name: c.name,
  tagline: c.tagline,
  bio: c.bio,
  avatarUrl: await avatarUrlOf(c, media),
  avatarKey: c.avatarKey,
  traits: c.traits,
  visibility: c.visibility,
  greeting: c.greeting,
  alternateGreetings: c.alternateGreetings,
  systemPrompt: c.systemPrompt,
  speakingStyle: c.speakingStyle,
  backstory: c.backstory,
  personality: c.personality,
  scenario: c.scenario,
  exampleDialogues: c.exampleDialogues,
  postHistoryInstructions: c.postHistoryInstructions,
  catchphrases: c.catchphrases,
  neverSay: c.neverSay,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const toWireOwnCompanionPage = async (page: Page<DbOwnCompanion>, media: MediaService) => ({
  items: await Promise.all(page.items.map((c) => toWireOwnCompanion(c, media))),
  nextCursor: page.nextCursor,
});

export const toWireRelationshipDetail = (d: DbRelationshipDetail): RelationshipDetail => ({ ...toWireRelationship(d), history: d.history });

