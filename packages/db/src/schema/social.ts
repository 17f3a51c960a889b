import { sql } from "drizzle-orm";
import { bigint, bigserial, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk, ts } from "./columns.ts";
import { users } from "./users.ts";

export const follows = pgTable(
  "follows",
  {
    followerId: uuid("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followeeId: uuid("followee_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    check("follows_not_self", sql`${t.followerId} <> ${t.followeeId}`),
    index("follows_following_page_idx").on(t.followerId, t.createdAt, t.followeeId),
    index("follows_followers_page_idx").on(t.followeeId, t.createdAt, t.followerId),
  ],
);

export const notifications = pgTable(
  "notifications",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    readAt: ts("read_at"),
  },
  (t) => [index("notifications_user_created_idx").on(t.userId, t.createdAt, t.id)],
);

/**
 * Outbox of realtime events. Written before delivery, so a subscriber that reconnects
 * with its last event id can be replayed what it missed; the serial id orders them.
 */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("events_user_id_idx").on(t.userId, t.id)],
);

/**
 * How far retention has deleted `events`: one row, written by pruneEvents in the statement
 * of each delete batch. Every event with an id at or below `prunedThroughId` may be gone; a
 * subscriber resuming from a lower id is told to resync (docs/realtime.md). Not per user:
 * readable by every signed-in user, writable by service code only (drizzle/0006).
 */
export const eventRetention = pgTable(
  "event_retention",
  {
    id: smallint("id").primaryKey().default(1),
    prunedThroughId: bigint("pruned_through_id", { mode: "number" }).notNull(),
  },
  (t) => [check("event_retention_one_row", sql`${t.id} = 1`)],
);

/** Media a user asked to upload; a story may only reference keys its author uploaded. */
export const mediaUploads = pgTable(
  "media_uploads",
  {
    key: text("key").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    createdAt: createdAt(),
    uploadedAt: ts("uploaded_at"),
  },
  (t) => [index("media_uploads_user_idx").on(t.userId, t.createdAt)],
);
