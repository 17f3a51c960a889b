import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";
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

/**
 * A block (social.block): neither person sees the other's stories, viewers or reactions, and
 * neither can follow the other; enforced in the queries and in Row Level Security (docs/social.md#blocks).
 */
export const blocks = pgTable(
  "blocks",
  {
    blockerId: uuid("blocker_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    blockedId: uuid("blocked_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.blockerId, t.blockedId] }),
    check("blocks_not_self", sql`${t.blockerId} <> ${t.blockedId}`),
    index("blocks_blocker_page_idx").on(t.blockerId, t.createdAt, t.blockedId),
    index("blocks_blocked_idx").on(t.blockedId, t.blockerId),
  ],
);

/** A mute (social.mute): the muted person's stories leave the muter's feed, silently. One-way. */
export const mutes = pgTable(
  "mutes",
  {
    muterId: uuid("muter_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mutedId: uuid("muted_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.muterId, t.mutedId] }),
    check("mutes_not_self", sql`${t.muterId} <> ${t.mutedId}`),
    index("mutes_muter_page_idx").on(t.muterId, t.createdAt, t.mutedId),
  ],
);
