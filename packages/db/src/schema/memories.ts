import { sql, type SQL } from "drizzle-orm";
import { boolean, customType, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk, updatedAt } from "./columns.ts";
import { messages } from "./messages.ts";
import { users } from "./users.ts";

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
