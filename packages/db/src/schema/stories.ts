import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, primaryKey, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";
import { users } from "./users.ts";

export const storyVisibility = ["public", "friends", "private"] as const;

/** A 24-hour story, authored by exactly one of a companion or a user. */
export const stories = pgTable(
  "stories",
  {
    id: pk(),
    authorCompanionId: uuid("author_companion_id").references(() => companions.id, { onDelete: "cascade" }),
    authorUserId: uuid("author_user_id").references(() => users.id, { onDelete: "cascade" }),
    caption: text("caption"),
    visibility: text("visibility", { enum: storyVisibility }).notNull().default("public"),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    /** Soft delete: set by the author or by the expiry job; reads treat it as gone. */
    deletedAt: ts("deleted_at"),
    /** Set by an operator resolving a report with `hide`: gone from every read, the author's included. */
    hiddenAt: ts("hidden_at"),
  },
  (t) => [
    check("stories_one_author", sql`(${t.authorCompanionId} is null) <> (${t.authorUserId} is null)`),
    // Plain ascending (created_at, id): scanned backward for ORDER BY ... DESC without a sort node.
    index("stories_companion_created_idx").on(t.authorCompanionId, t.createdAt, t.id),
    index("stories_user_created_idx").on(t.authorUserId, t.createdAt, t.id),
    index("stories_expires_live_idx").on(t.expiresAt).where(sql`${t.deletedAt} is null`),
    // The feed: live stories newest first, scanned backward from the keyset cursor and
    // joined to the viewer's connections per row, so a page costs the same at any depth
    // (docs/query-plans.md). Per-author indexes would need a sort to merge authors.
    index("stories_live_created_idx").on(t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    // The cleanup job's purge of soft-deleted stories past the grace period; stays small.
    // Stories that expired on their own and belong to a user are kept for the author's
    // 7-day stats (docs/social.md), so they are left out here and purged by created_at
    // through the next index; the job's queries repeat these predicates word for word.
    index("stories_purge_idx")
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} is not null and (${t.authorUserId} is null or ${t.deletedAt} < ${t.expiresAt})`),
    index("stories_retained_idx")
      .on(t.createdAt)
      .where(sql`${t.deletedAt} is not null and ${t.authorUserId} is not null and ${t.deletedAt} >= ${t.expiresAt}`),
  ],
);

export const storyMedia = pgTable(
  "story_media",
  {
    id: pk(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    sortOrder: smallint("sort_order").notNull(),
    kind: text("kind", { enum: ["image", "video"] }).notNull(),
    /** Storage key (local disk or S3); URLs are derived at read time. */
    mediaKey: text("media_key").notNull(),
    width: integer("width"),
    height: integer("height"),
    durationMs: integer("duration_ms"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("story_media_story_order_key").on(t.storyId, t.sortOrder)],
);

export const storyReactions = pgTable(
  "story_reactions",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    mediaId: uuid("media_id")
      .notNull()
      .references(() => storyMedia.id, { onDelete: "cascade" }),
    /** Denormalized from the media row so that per-story stats need no join. */
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    emoji: text("emoji").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("story_reactions_user_media_key").on(t.userId, t.mediaId),
    index("story_reactions_story_idx").on(t.storyId),
  ],
);

export const storyViews = pgTable(
  "story_views",
  {
    id: pk(),
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    viewerId: uuid("viewer_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    viewedAt: ts("viewed_at").notNull().defaultNow(),
    /**
     * The story's created_at, copied by a trigger on insert (and kept in step by one on
     * stories), so that a viewer's seen stories can be read newest first from an index:
     * the feed's "seen" run (docs/query-plans.md). Never written by application code.
     */
    storyCreatedAt: ts("story_created_at"),
  },
  (t) => [
    uniqueIndex("story_views_story_viewer_key").on(t.storyId, t.viewerId),
    index("story_views_viewer_idx").on(t.viewerId, t.viewedAt),
    // stories.viewers: one story's viewers, latest first, keyset on (viewed_at, viewer_id).
    index("story_views_story_viewed_idx").on(t.storyId, t.viewedAt, t.viewerId),
    // The feed's seen run: my viewed stories newest first, keyset on (story_created_at, story_id).
    index("story_views_viewer_story_created_idx").on(t.viewerId, t.storyCreatedAt, t.storyId),
  ],
);

/** Explicit audience of a `private` story. */
export const storyAudience = pgTable(
  "story_audience",
  {
    storyId: uuid("story_id")
      .notNull()
      .references(() => stories.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.userId] }), index("story_audience_user_idx").on(t.userId)],
);

const storyDraftStatuses = ["draft", "published", "discarded"] as const;

/** A story a person's own companion proposed; only the owner sees it, and it is live only once approved. */
export const storyDrafts = pgTable(
  "story_drafts",
  {
    id: pk(),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    prompt: text("prompt"),
    caption: text("caption").notNull(),
    /** The image cards to render on approval: [{ title, body, palette }]. */
    slides: jsonb("slides").$type<{ title: string; body: string; palette: number }[]>().notNull(),
    status: text("status", { enum: storyDraftStatuses }).notNull().default("draft"),
    storyId: uuid("story_id").references(() => stories.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("story_drafts_owner_created_idx").on(t.ownerUserId, t.createdAt, t.id),
    index("story_drafts_companion_idx").on(t.companionId),
  ],
);
