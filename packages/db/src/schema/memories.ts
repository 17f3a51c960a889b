import { sql, type SQL } from "drizzle-orm";
import { boolean, check, customType, index, integer, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk, ts, updatedAt } from "./columns.ts";
import { messages } from "./messages.ts";
import { users } from "./users.ts";

export const memorySources = ["manual", "auto"] as const;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const memories = pgTable(
  "memories",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    title: text("title").notNull().default(""),
    content: text("content").notNull(),
    pinned: boolean("pinned").notNull().default(false),
    /** `manual`: saved by the person; `auto`: extracted from a conversation by the memory job. */
    source: text("source", { enum: memorySources }).notNull().default("manual"),
    /** 1–10: how much it matters when the prompt picks memories (docs/memory.md). */
    importance: smallint("importance").notNull().default(5),
    /** Last time the prompt used it: the recency part of the retrieval score. */
    lastUsedAt: ts("last_used_at"),
    /**
     * What the fact is about, normalized ("name", "job", "pet:rex", "likes:coffee"): the same
     * fact said twice updates one memory instead of adding a second. Null on free-form memories.
     */
    factKey: text("fact_key"),
    /** Full-text search over title and content, for memories relevant to a new message. */
    search: tsvector("search").generatedAlwaysAs(
      (): SQL => sql`to_tsvector('simple', ${memories.title} || ' ' || ${memories.content})`,
    ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("memories_timeline_idx").on(t.userId, t.companionId, t.pinned, t.createdAt, t.id),
    // One memory per message: the conflict target of createMemory's insert (ON CONFLICT works
    // with the columns in any order). message_id leads, so the index also serves the ON DELETE
    // SET NULL from messages and the per-message `isMemorized` probe of messages.list.
    uniqueIndex("memories_message_user_key").on(t.messageId, t.userId).where(sql`${t.messageId} is not null`),
    index("memories_search_idx").using("gin", t.search),
    uniqueIndex("memories_user_companion_fact_key").on(t.userId, t.companionId, t.factKey).where(sql`${t.factKey} is not null`),
    check("memories_importance_range", sql`${t.importance} between 1 and 10`),
  ],
);

/**
 * A conversation's rolling summary: the oldest turns folded into prose once the conversation
 * outgrows the prompt (docs/memory.md). Each fold is a new version; the prompt uses the latest.
 */
export const conversationSummaries = pgTable(
  "conversation_summaries",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    content: text("content").notNull(),
    /** The newest message folded in: (created_at, id) of the last turn it covers. */
    coversUntil: ts("covers_until").notNull(),
    coversUntilMessageId: uuid("covers_until_message_id").notNull(),
    messageCount: integer("message_count").notNull(),
    /** `model` or `extractive` (the offline default). */
    method: text("method").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("conversation_summaries_version_key").on(t.userId, t.companionId, t.version)],
);
