import { sql, type SQL } from "drizzle-orm";
import { boolean, customType, index, pgTable, real, text, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk, updatedAt } from "./columns.ts";
import { users } from "./users.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const messages = pgTable(
  "messages",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    companionId: uuid("companion_id")
      .notNull()
      .references(() => companions.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    content: text("content").notNull(),
    /** `partial` marks a streamed reply cut short by a disconnect. */
    status: text("status", { enum: ["complete", "partial", "failed"] }).notNull().default("complete"),
    /** Set on the user's message; unique per user so a retried send is answered once. */
    idempotencyKey: text("idempotency_key"),
    replyToId: uuid("reply_to_id").references((): AnyPgColumn => messages.id, { onDelete: "set null" }),
    provider: text("provider"),
    model: text("model"),
    sentiment: real("sentiment"),
    /** On a user message: the process answering it (process_leases.id); null until one starts. */
    ownerProcess: uuid("owner_process"),
    createdAt: createdAt(),
  },
  (t) => [
    index("messages_conversation_idx").on(t.userId, t.companionId, t.createdAt, t.id),
    uniqueIndex("messages_user_idempotency_key").on(t.userId, t.idempotencyKey),
    index("messages_reply_to_idx").on(t.replyToId).where(sql`${t.replyToId} is not null`),
  ],
);

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
  ],
);
