import { sql, type SQL } from "drizzle-orm";
import { boolean, customType, index, pgTable, real, smallint, text, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { companions } from "./companions.ts";
import { createdAt, pk, ts } from "./columns.ts";
import { stories } from "./stories.ts";
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
    /** An assistant message the companion sent first (the proactive job), not a reply. */
    proactive: boolean("proactive").notNull().default(false),
    /** On a user message: the story it answers (stories.reply); null once the story is removed. */
    storyId: uuid("story_id").references(() => stories.id, { onDelete: "set null" }),
    /** On a user message: the idempotency key of its last regenerate or edit, so a retry does it once. */
    controlKey: text("control_key"),
    /** On a reply with alternatives (messages.regenerate): which of reply_alternatives it shows. */
    alternative: smallint("alternative"),
    /** On a user message: the process answering it (process_leases.id); null until one starts. */
    ownerProcess: uuid("owner_process"),
    /** The words, for search.query: stored so that ranking and matching never re-parse the text (docs/search.md). */
    search: tsvector("search").generatedAlwaysAs((): SQL => sql`to_tsvector('simple', ${messages.content})`),
    /** The safety check's category when it flagged this message ("self_harm", "harassment", …); null: not flagged (docs/safety.md). */
    flagged: text("flagged"),
    /** Set by an operator resolving a report with `hide`: gone from history, search and the prompt. */
    hiddenAt: ts("hidden_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("messages_conversation_idx").on(t.userId, t.companionId, t.createdAt, t.id),
    // search.query's first step walks my newest messages across conversations (docs/search.md).
    index("messages_user_created_idx").on(t.userId, t.createdAt, t.id),
    uniqueIndex("messages_user_idempotency_key").on(t.userId, t.idempotencyKey),
    index("messages_reply_to_idx").on(t.replyToId).where(sql`${t.replyToId} is not null`),
    // search.query: the owner's matches only (user_id in the GIN index by btree_gin; docs/search.md).
    index("messages_search_idx").using("gin", t.userId, t.search),
  ],
);

/**
 * Every version of a reply once it has been regenerated (SillyTavern's swipes), by the user
 * message it answers. The reply row in `messages` holds the selected one (`messages.alternative`).
 */
export const replyAlternatives = pgTable(
  "reply_alternatives",
  {
    id: pk(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    userMessageId: uuid("user_message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    position: smallint("position").notNull(),
    content: text("content").notNull(),
    status: text("status", { enum: ["complete", "partial", "failed"] }).notNull(),
    provider: text("provider"),
    model: text("model"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("reply_alternatives_message_position_key").on(t.userMessageId, t.position), index("reply_alternatives_user_idx").on(t.userId)],
);
