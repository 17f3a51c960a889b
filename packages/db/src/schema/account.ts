import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";
import { users } from "./users.ts";

export const securityEventKinds = [
  "login_failed",
  "login_throttled",
  "refresh_reuse",
  "password_changed",
  "password_reset_requested",
  "password_reset",
  "session_revoked",
  "sessions_revoked",
  "account_deleted",
  "account_banned",
  "safety_refused",
] as const;

/**
 * The security event log (seed 001): what happened to an account, for the person
 * (auth.securityEvents) and for operators (`pnpm admin security:events`). Kept when the
 * account is deleted, without the user (docs/security-events.md).
 */
export const securityEvents = pgTable(
  "security_events",
  {
    id: pk(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    kind: text("kind", { enum: securityEventKinds }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** Never a password, token or message text. */
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("security_events_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("security_events_created_idx").on(t.createdAt, t.id),
  ],
);

/** Password reset tokens, stored only as a SHA-256 hash; single use, 30 minutes (docs/auth.md#password-reset). */
export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    ip: text("ip"),
  },
  (t) => [uniqueIndex("password_reset_tokens_hash_key").on(t.tokenHash), index("password_reset_tokens_user_idx").on(t.userId, t.createdAt)],
);

/**
 * Sessions (refresh-token families) ended before their access tokens expire: every process
 * refuses their access tokens at once. Kept without a foreign key, so that the sessions of a
 * deleted account stay refused; pruned once `expires_at` (the last access token's expiry) passes.
 */
export const sessionRevocations = pgTable(
  "session_revocations",
  {
    familyId: uuid("family_id").primaryKey(),
    userId: uuid("user_id").notNull(),
    revokedAt: ts("revoked_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("session_revocations_expires_idx").on(t.expiresAt)],
);

/** The development outbox: mail the embedded default "sends" when SMTP_URL is unset (`pnpm admin mail:outbox`). */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: pk(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_created_idx").on(t.createdAt, t.id)],
);

/** auth.exportData: a job writes the archive to storage; the notification carries a signed URL to it. */
export const dataExports = pgTable(
  "data_exports",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "ready", "failed"] }).notNull().default("pending"),
    storageKey: text("storage_key"),
    bytes: integer("bytes"),
    createdAt: createdAt(),
    completedAt: ts("completed_at"),
    /** When the archive is deleted from storage. */
    expiresAt: ts("expires_at"),
  },
  (t) => [index("data_exports_user_created_idx").on(t.userId, t.createdAt, t.id)],
);

/** Per-person overrides of the daily limits (`pnpm admin user:quota`); null: the deployment's default (docs/quotas.md). */
export const userQuotas = pgTable("user_quotas", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  messagesPerDay: integer("messages_per_day"),
  tokensPerDay: integer("tokens_per_day"),
  updatedAt: updatedAt(),
});

export const reportTargets = ["story", "user", "companion", "message"] as const;
export const reportReasons = ["spam", "harassment", "hate", "sexual", "minor_safety", "self_harm", "violence", "impersonation", "other"] as const;
export const reportStatuses = ["open", "dismissed", "hidden", "banned"] as const;

/**
 * moderation.report: one row per (reporter, target); `snapshot` keeps the reported content as
 * it was, so a later edit or deletion does not empty the case (docs/moderation.md).
 */
export const reports = pgTable(
  "reports",
  {
    id: pk(),
    reporterId: uuid("reporter_id").references(() => users.id, { onDelete: "set null" }),
    targetKind: text("target_kind", { enum: reportTargets }).notNull(),
    targetId: uuid("target_id").notNull(),
    reason: text("reason", { enum: reportReasons }).notNull(),
    note: text("note"),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: reportStatuses }).notNull().default("open"),
    resolvedAt: ts("resolved_at"),
    resolvedBy: text("resolved_by"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("reports_reporter_target_key").on(t.reporterId, t.targetKind, t.targetId),
    index("reports_queue_idx").on(t.status, t.createdAt, t.id),
    index("reports_target_idx").on(t.targetKind, t.targetId),
  ],
);
