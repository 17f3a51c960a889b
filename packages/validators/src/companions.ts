import { z } from "zod";
import { isoDateTime, page, pageInput, uuid } from "./common.ts";

/**
 * Companion mood labels: the same strings as MOOD_LABELS in packages/ai and
 * RELATIONSHIP_MOODS in packages/db (this package depends on zod only, so it repeats them;
 * the output schemas below would reject a label that drifted).
 */
export const MOOD_LABELS = ["joyful", "excited", "content", "neutral", "lonely", "distant"] as const;
export const moodLabel = z.enum(MOOD_LABELS);

/** UTC calendar day. */
export const isoDate = z.iso.date();

const score = z.number().int().min(0).max(100);

/** A companion's public profile. The private persona (prompt, style, backstory) never crosses the wire. */
const companionProfile = z.object({
  id: uuid,
  slug: z.string(),
  name: z.string(),
  tagline: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  traits: z.array(z.string()),
});

/** My relationship with a companion, as it stands now (decay applied at read time). */
const relationshipState = z.object({
  companionId: uuid,
  affection: score,
  trust: score,
  energy: score,
  mood: moodLabel,
  interactionCount: z.number().int().min(0),
  lastInteractionAt: isoDateTime.nullable(),
  /** false: I turned off this companion writing first (companions.setProactive). */
  proactiveEnabled: z.boolean(),
  connectedAt: isoDateTime,
});
export type RelationshipState = z.infer<typeof relationshipState>;

const companion = companionProfile.extend({ relationship: relationshipState.nullable() });
export type Companion = z.infer<typeof companion>;

export const companionsListInput = pageInput;
export const companionsListOutput = page(companion);

const companionRef = z.object({ companionId: uuid });
export const companionsByIdInput = companionRef;
export const companionsByIdOutput = companion;
export const companionsConnectInput = companionRef;
export const companionsConnectOutput = relationshipState;
export const companionsDisconnectInput = companionRef;
export const companionsDisconnectOutput = z.object({ disconnected: z.boolean() });

const moodHistoryEntry = z.object({ date: isoDate, mood: moodLabel, affection: score, trust: score, energy: score });

/** `relationship`: my state plus the last 30 UTC days of mood history (days without a row are absent). */
const relationshipDetail = relationshipState.extend({
  history: z.object({
    from: isoDate,
    to: isoDate,
    entries: z.array(moodHistoryEntry),
    daysInteracted: z.number().int().min(0),
    totalDaysInteracted: z.number().int().min(0),
    dominantMood: moodLabel.nullable(),
  }),
});
export type RelationshipDetail = z.infer<typeof relationshipDetail>;

export const companionsRelationshipInput = companionRef;
export const companionsRelationshipOutput = relationshipDetail;

/** Turns this companion writing first to me on or off (the global switch is settings.proactiveEnabled). */
export const companionsSetProactiveInput = z.object({ companionId: uuid, enabled: z.boolean() });
export const companionsSetProactiveOutput = relationshipState;
