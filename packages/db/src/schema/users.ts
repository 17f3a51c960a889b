import { boolean, index, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";

export const users = pgTable(
  "users",
  {
    id: pk(),
    /** Normalized (trimmed, lower-cased) before it is stored. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    displayName: text("display_name").notNull(),
    avatarUrl: text("avatar_url"),
    /** A media key (media.createUpload) set by auth.updateProfile; served through a signed URL. Wins over avatarUrl. */
    avatarKey: text("avatar_key"),
    /** BCP 47 language tag ("en", "pt-BR"): crisis resources and mail in the person's language. */
    language: text("language").notNull().default("en"),
    role: text("role", { enum: ["user", "admin"] }).notNull().default("user"),
    passwordChangedAt: ts("password_changed_at").notNull().defaultNow(),
    /** Set by `pnpm admin user:disable` or a ban (reports:resolve --action ban): login and refresh are refused while it is set. */
    disabledAt: ts("disabled_at"),
    /** "About me": what every companion always knows about the person, in the prompt within its own budget. */
    aboutMe: text("about_me").notNull().default(""),
    /** IANA time zone ("Europe/Lisbon"): quiet hours and "today" for the proactive guardrails. */
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Quiet hours in the person's time zone, minutes after midnight; start > end wraps midnight; null: none. */
    quietStartMinute: smallint("quiet_start_minute").default(22 * 60),
    quietEndMinute: smallint("quiet_end_minute").default(8 * 60),
    /** Global opt-out of companions writing first. */
    proactiveEnabled: boolean("proactive_enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), index("users_created_idx").on(t.createdAt, t.id)],
);

/**
 * Opaque refresh tokens, stored only as a SHA-256 hash. Tokens that descend from one
 * login share a `familyId`; reuse of a rotated token revokes the whole family.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: uuid("family_id").notNull(),
    parentId: uuid("parent_id"),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    /** Set when the token was exchanged for a child. */
    usedAt: ts("used_at"),
    revokedAt: ts("revoked_at"),
    userAgent: text("user_agent"),
    ip: text("ip"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_key").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_user_idx").on(t.userId),
    uniqueIndex("refresh_tokens_parent_key").on(t.parentId),
  ],
);
