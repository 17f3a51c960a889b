import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, jsonb, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";
import { users } from "./users.ts";

/** private: only its owner; unlisted: anyone with the id (never listed); public: listed for everyone. */
const companionVisibility = ["private", "unlisted", "public"] as const;
export type CompanionVisibility = (typeof companionVisibility)[number];

/** A lorebook entry (Character Card V2 `character_book.entries[]`), kept as the card had it. */
interface CharacterBookEntry {
  keys: string[];
  content: string;
  enabled: boolean;
  insertion_order: number;
  case_sensitive?: boolean;
  name?: string;
  priority?: number;
  id?: number | string;
  comment?: string;
  selective?: boolean;
  secondary_keys?: string[];
  constant?: boolean;
  position?: string;
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Character Card V2 `character_book`: entries plus the book's own settings, kept whole for export. */
export interface CharacterBook {
  name?: string;
  description?: string;
  scan_depth?: number;
  token_budget?: number;
  recursive_scanning?: boolean;
  extensions?: Record<string, unknown>;
  entries: CharacterBookEntry[];
  [key: string]: unknown;
}

/** Public profile of a companion. System-owned when `ownerUserId` is null. */
export const companions = pgTable(
  "companions",
  {
    id: pk(),
    ownerUserId: uuid("owner_user_id").references(() => users.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    tagline: text("tagline").notNull().default(""),
    bio: text("bio").notNull().default(""),
    avatarUrl: text("avatar_url"),
    /** A media key (media.createUpload) uploaded by the owner; served through a signed URL. Wins over avatarUrl. */
    avatarKey: text("avatar_key"),
    /** Public personality tags shown on the profile (e.g. "playful", "curious"). */
    traits: text("traits").array().notNull().default(sql`'{}'::text[]`),
    visibility: text("visibility", { enum: companionVisibility }).notNull().default("public"),
    /** The first message of every new conversation ({{char}} / {{user}} filled in); "" for none. */
    greeting: text("greeting").notNull().default(""),
    alternateGreetings: text("alternate_greetings").array().notNull().default(sql`'{}'::text[]`),
    /** Where the persona "lives": the local hours at which a system companion posts its stories. */
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Set by an operator resolving a report with `hide`: not listed, found, connected to or chatted with. */
    hiddenAt: ts("hidden_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("companions_slug_key").on(t.slug),
    // companions.mine (keyset on created_at, id) and the daily creation quota.
    index("companions_owner_idx").on(t.ownerUserId, t.createdAt, t.id),
    check("companions_visibility_check", sql`${t.visibility} in ('private', 'unlisted', 'public')`),
  ],
);

/**
 * Private prompt fields, kept in their own table so that no profile query can select
 * them by accident. Only the prompt builder reads this table.
 */
export const companionPersonas = pgTable("companion_personas", {
  companionId: uuid("companion_id")
    .primaryKey()
    .references(() => companions.id, { onDelete: "cascade" }),
  systemPrompt: text("system_prompt").notNull(),
  speakingStyle: text("speaking_style").notNull().default(""),
  /** Card `description`: who the character is. */
  backstory: text("backstory").notNull().default(""),
  /** Card `personality`: a short summary of the personality. */
  personality: text("personality").notNull().default(""),
  scenario: text("scenario").notNull().default(""),
  /** Card `mes_example`: example dialogues, `<START>`-separated. */
  exampleDialogues: text("example_dialogues").notNull().default(""),
  /** Card `post_history_instructions`: a system note after the history. */
  postHistoryInstructions: text("post_history_instructions").notNull().default(""),
  catchphrases: text("catchphrases").array().notNull().default(sql`'{}'::text[]`),
  /** Things the companion must never say. */
  neverSay: text("never_say").array().notNull().default(sql`'{}'::text[]`),
  /** The card's lorebook, injected into the prompt by keyword (docs/companions.md). */
  characterBook: jsonb("character_book").$type<CharacterBook>(),
  /** What a character card carried that we do not use (its `extensions` and unknown fields), kept for export. */
  extensions: jsonb("extensions").$type<Record<string, unknown>>().notNull().default({}),
  /** Offline fallback lines keyed by mood label (MOOD_LABELS in @companion/ai): { joyful: [...], ... }. */
  fallbackLines: jsonb("fallback_lines").$type<Record<string, string[]>>().notNull().default({}),
  updatedAt: updatedAt(),
});

const score = (name: string) => smallint(name).notNull().default(50);

export const relationshipStates = pgTable(
  "relationship_states",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    affection: score("affection"),
    trust: score("trust"),
    energy: score("energy"),
    mood: text("mood").notNull().default("neutral"),
    interactionCount: integer("interaction_count").notNull().default(0),
    lastInteractionAt: ts("last_interaction_at"),
    /** Per-companion opt-out of it writing first. */
    proactiveEnabled: boolean("proactive_enabled").notNull().default(true),
    /** Proactive messages in a row the person has not answered; the job stops at the limit. */
    proactiveUnanswered: smallint("proactive_unanswered").notNull().default(0),
    lastProactiveAt: ts("last_proactive_at"),
    /** The newest message of the conversation (a trigger on messages keeps it): messages.conversations' keyset. */
    lastMessageAt: ts("last_message_at"),
    /** Companion messages up to this time are read (messages.markRead). */
    readUpTo: ts("read_up_to"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("relationship_states_user_companion_key").on(t.userId, t.companionId),
    index("relationship_states_companion_idx").on(t.companionId, t.userId),
    index("relationship_states_inbox_idx").on(t.userId, t.lastMessageAt, t.companionId),
    /** companions.connected: my relationships, newest connection first. */
    index("relationship_states_connected_idx").on(t.userId, t.createdAt, t.companionId),
    check("relationship_scores_range", sql`${t.affection} between 0 and 100 and ${t.trust} between 0 and 100 and ${t.energy} between 0 and 100`),
  ],
);

export const moodHistory = pgTable(
  "mood_history",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    recordedOn: date("recorded_on", { mode: "string" }).notNull(),
    mood: text("mood").notNull(),
    affection: smallint("affection").notNull(),
    trust: smallint("trust").notNull(),
    energy: smallint("energy").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("mood_history_user_companion_day_key").on(t.userId, t.companionId, t.recordedOn)],
);

/**
 * One row per companion a person created, kept when the companion is deleted: the daily
 * creation quota counts these, so deleting a companion does not free a slot (docs/companions.md#quota).
 */
export const companionCreations = pgTable(
  "companion_creations",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [index("companion_creations_user_created_idx").on(t.userId, t.createdAt)],
);
