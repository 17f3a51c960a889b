import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, jsonb, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";
import { users } from "./users.ts";

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
    /** Public personality tags shown on the profile (e.g. "playful", "curious"). */
    traits: text("traits").array().notNull().default(sql`'{}'::text[]`),
    isPublic: boolean("is_public").notNull().default(true),
    /** Where the persona "lives": the local hours at which a system companion posts its stories. */
    timeZone: text("time_zone").notNull().default("UTC"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("companions_slug_key").on(t.slug), index("companions_owner_idx").on(t.ownerUserId)],
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
  backstory: text("backstory").notNull().default(""),
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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("relationship_states_user_companion_key").on(t.userId, t.companionId),
    index("relationship_states_companion_idx").on(t.companionId, t.userId),
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
