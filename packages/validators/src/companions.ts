import { z } from "zod";
import { isoDateTime, page, pageInput, text, uuid } from "./common.ts";
import { mediaKey } from "./media.ts";

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
export const companionProfile = z.object({
  id: uuid,
  slug: z.string(),
  name: z.string(),
  tagline: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  traits: z.array(z.string()),
});
export type CompanionProfile = z.infer<typeof companionProfile>;

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

const companionVisibilityField = z.enum(["private", "unlisted", "public"]);

/** A companion as anyone who may see it sees it: never a private field (those are `ownCompanion`'s). */
const companion = companionProfile.extend({
  /** private: only its owner; unlisted: anyone with the id, never listed; public: listed for everyone. */
  visibility: companionVisibilityField,
  /** Mine (companions.create): I may edit it and read its private fields (companions.own). */
  ownedByMe: z.boolean(),
  relationship: relationshipState.nullable(),
});
export type Companion = z.infer<typeof companion>;

export const companionsListInput = pageInput;
export const companionsListOutput = page(companion);
/** The companions I am connected with, newest connection first; `relationship` is never null here. */
export const companionsConnectedInput = pageInput;
const connectedCompanion = companion.extend({ relationship: relationshipState });
export type ConnectedCompanion = z.infer<typeof connectedCompanion>;
export const companionsConnectedOutput = page(connectedCompanion);

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

/**
 * Sizes of a companion's fields (docs/companions.md). The private ones are capped so that a
 * persona fits the prompt budget and a card cannot fill the database.
 */
export const COMPANION_LIMITS = {
  name: 60,
  tagline: 140,
  bio: 2_000,
  traits: 12,
  trait: 32,
  greeting: 4_000,
  alternateGreetings: 10,
  systemPrompt: 8_000,
  speakingStyle: 2_000,
  backstory: 8_000,
  personality: 2_000,
  scenario: 4_000,
  exampleDialogues: 8_000,
  postHistoryInstructions: 2_000,
  catchphrases: 20,
  catchphrase: 200,
  neverSay: 30,
  neverSayItem: 200,
} as const;

const L = COMPANION_LIMITS;

export const companionVisibility = companionVisibilityField;

const longText = (max: number) => text().trim().max(max);
const phraseList = (items: number, chars: number) => z.array(text().trim().min(1).max(chars)).max(items);

/** What anyone who may see the companion sees (besides its id and slug). */
const companionPublicFields = z.object({
  name: text().trim().min(1).max(L.name),
  tagline: longText(L.tagline),
  bio: longText(L.bio),
  traits: phraseList(L.traits, L.trait),
  /** A key from media.createUpload, uploaded by me (an image); null: no avatar. */
  avatarKey: mediaKey.nullable(),
  visibility: companionVisibility,
  /** The first message of a new conversation; `{{char}}` and `{{user}}` are filled in. "" for none. */
  greeting: longText(L.greeting),
  alternateGreetings: phraseList(L.alternateGreetings, L.greeting),
});

/**
 * The private persona: only the owner ever reads it back (companions.mine, exportCard). It
 * reaches the model, and an output guard removes it from replies to anyone else.
 */
const companionPrivateFields = z.object({
  systemPrompt: longText(L.systemPrompt),
  speakingStyle: longText(L.speakingStyle),
  /** Who the character is (a card's `description`). */
  backstory: longText(L.backstory),
  personality: longText(L.personality),
  scenario: longText(L.scenario),
  /** Example dialogues (a card's `mes_example`). */
  exampleDialogues: longText(L.exampleDialogues),
  postHistoryInstructions: longText(L.postHistoryInstructions),
  catchphrases: phraseList(L.catchphrases, L.catchphrase),
  /** Things the companion must never say. */
  neverSay: phraseList(L.neverSay, L.neverSayItem),
});

/** Everything a person defines about a companion of their own; the defaults make a minimal one a name. */
export const companionDefinition = z.object({
  ...companionPublicFields.shape,
  tagline: companionPublicFields.shape.tagline.default(""),
  bio: companionPublicFields.shape.bio.default(""),
  traits: companionPublicFields.shape.traits.default([]),
  avatarKey: companionPublicFields.shape.avatarKey.default(null),
  visibility: companionVisibility.default("private"),
  greeting: companionPublicFields.shape.greeting.default(""),
  alternateGreetings: companionPublicFields.shape.alternateGreetings.default([]),
  systemPrompt: companionPrivateFields.shape.systemPrompt.default(""),
  speakingStyle: companionPrivateFields.shape.speakingStyle.default(""),
  backstory: companionPrivateFields.shape.backstory.default(""),
  personality: companionPrivateFields.shape.personality.default(""),
  scenario: companionPrivateFields.shape.scenario.default(""),
  exampleDialogues: companionPrivateFields.shape.exampleDialogues.default(""),
  postHistoryInstructions: companionPrivateFields.shape.postHistoryInstructions.default(""),
  catchphrases: companionPrivateFields.shape.catchphrases.default([]),
  neverSay: companionPrivateFields.shape.neverSay.default([]),
});
export type CompanionDefinition = z.output<typeof companionDefinition>;

/**
 * My own companion with everything I defined, private fields included: only ever sent to its
 * owner. Plain strings, not the input caps: a cap lowered later must not make reading one fail.
 */
const ownCompanion = companionProfile.extend({
  avatarKey: z.string().nullable(),
  visibility: companionVisibilityField,
  greeting: z.string(),
  alternateGreetings: z.array(z.string()),
  systemPrompt: z.string(),
  speakingStyle: z.string(),
  backstory: z.string(),
  personality: z.string(),
  scenario: z.string(),
  exampleDialogues: z.string(),
  postHistoryInstructions: z.string(),
  catchphrases: z.array(z.string()),
  neverSay: z.array(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type OwnCompanion = z.infer<typeof ownCompanion>;

/** QUOTA_EXCEEDED (429) past the daily quota (docs/companions.md#quota). */
export const companionsCreateInput = companionDefinition;
export const companionsCreateOutput = ownCompanion;

/** `companionId` and the fields that change (at least one). */
export const companionsUpdateInput = z
  .object({ companionId: uuid, ...companionPublicFields.partial().shape, ...companionPrivateFields.partial().shape })
  .refine((p) => Object.keys(p).some((k) => k !== "companionId"), { message: "Nothing to update" });
export const companionsUpdateOutput = ownCompanion;

export const companionsDeleteInput = companionRef;
export const companionsDeleteOutput = z.object({ deleted: z.boolean() });

export const companionsMineInput = pageInput;
export const companionsMineOutput = page(ownCompanion);

export const companionsOwnInput = companionRef;
export const companionsOwnOutput = ownCompanion;
