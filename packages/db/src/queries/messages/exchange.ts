/**
 * Queries behind one chat exchange (user message → model → reply). The chat service in
 * packages/api composes them inside `withUser`; none of them calls a model.
 *
 * They sit on the path to a reply's first token, so each is `.prepare()`d on the
 * transaction it runs in: unnamed, postgres.js describes every parameterized statement
 * first (an extra round trip); named, it reuses the connection's prepared statement.
 * With DB_POOLER=transaction the client disables prepared statements and this is a no-op.
 */
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { DomainError, notFound } from "../../errors.ts";
import { messages, processLeases } from "../../schema/index.ts";
import { unsummarized } from "../memories/summaries.ts";
import type { Database } from "../../types.ts";
import { inTransaction } from "../../transaction.ts";
import { appendReplyAlternative, lockExchange } from "./alternatives.ts";

export type ChatMessageStatus = "complete" | "partial" | "failed";

export interface StoredChatMessage {
  id: string;
  companionId: string;
  role: "user" | "assistant";
  content: string;
  status: ChatMessageStatus;
  replyToId: string | null;
  /** On a user message: the story it answers (stories.reply). */
  storyId: string | null;
  /** On a reply: the model that wrote it (the offline persona's name for it past a quota: docs/quotas.md). */
  model: string | null;
  createdAt: Date;
}

export const chatMessageColumns = {
  id: messages.id,
  companionId: messages.companionId,
  role: messages.role,
  content: messages.content,
  status: messages.status,
  replyToId: messages.replyToId,
  storyId: messages.storyId,
  model: messages.model,
  createdAt: messages.createdAt,
};

/**
 * Saves the user's message under its idempotency key, or finds the one already saved
 * under it (`created: false`). The unique index on (user_id, idempotency_key) decides the
 * race: of concurrent callers exactly one inserts. The same key with a different content,
 * companion or story is a CONFLICT: the client reused a key for another message.
 */
export async function claimUserMessage(
  db: Database,
  params: {
    userId: string;
    companionId: string;
    content: string;
    idempotencyKey: string;
    /** The process that answers it at once (messages.send); null when the answer waits for a stream. */
    ownerProcess: string | null;
    /** The story it answers (stories.reply). */
    storyId?: string | null | undefined;
    /** The safety check's category when it flagged the message (docs/safety.md). */
    flagged?: string | null | undefined;
  },
): Promise<{ message: StoredChatMessage; created: boolean }> {
  const [inserted] = await db
    .insert(messages)
    .values({
      userId: params.userId,
      companionId: params.companionId,
      role: "user",
      content: params.content,
      idempotencyKey: params.idempotencyKey,
      ownerProcess: params.ownerProcess,
      storyId: params.storyId ?? null,
      flagged: params.flagged ?? null,
    })
    .onConflictDoNothing({ target: [messages.userId, messages.idempotencyKey] })
    .returning(chatMessageColumns)
    .prepare("chat_claim")
    .execute();
  if (inserted) return { message: inserted, created: true };

  const [existing] = await db
    .select(chatMessageColumns)
    .from(messages)
    .where(and(eq(messages.userId, params.userId), eq(messages.idempotencyKey, params.idempotencyKey)))
    .prepare("chat_claimed")
    .execute();
  // Only a concurrent delete (account or companion removal) gets here.
  if (!existing) throw new DomainError("IDEMPOTENCY_KEY_REUSED", "The message for this idempotency key was removed; send with a new key");
  if (existing.content !== params.content || existing.companionId !== params.companionId || existing.storyId !== (params.storyId ?? null)) {
    throw new DomainError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used for a different message", { field: "idempotencyKey" });
  }
  return { message: existing, created: false };
}

/**
 * The last `limit` turns of the conversation, oldest first, for the prompt's history
 * window, without `excludeId` (the message being answered) and without the turns the rolling
 * summary already covers. Failed (empty) replies carry nothing worth repeating.
 */
export async function listRecentTurns(
  db: Database,
  params: { userId: string; companionId: string; limit: number; excludeId?: string | undefined },
): Promise<{ id: string; role: "user" | "assistant"; content: string }[]> {
  const rows = await db
    .select({ id: messages.id, role: messages.role, content: messages.content })
    .from(messages)
    .where(
      and(
        eq(messages.userId, params.userId),
        eq(messages.companionId, params.companionId),
        params.excludeId === undefined ? undefined : ne(messages.id, params.excludeId),
        ne(messages.status, "failed"),
        // A message hidden by moderation leaves the prompt too (docs/moderation.md).
        isNull(messages.hiddenAt),
        unsummarized(params.userId, params.companionId),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(params.limit)
    .prepare("chat_recent_turns")
    .execute();
  return rows.reverse();
}

const reply = alias(messages, "reply");

/** One of my messages and the reply saved for it, if any. NOT_FOUND when it is not mine. */
export async function findReply(
  db: Database,
  params: { userId: string; messageId: string },
): Promise<{ message: StoredChatMessage; reply: StoredChatMessage | null }> {
  const [row] = await db
    .select({
      message: chatMessageColumns,
      reply: {
        id: reply.id,
        companionId: reply.companionId,
        role: reply.role,
        content: reply.content,
        status: reply.status,
        replyToId: reply.replyToId,
        storyId: reply.storyId,
        model: reply.model,
        createdAt: reply.createdAt,
      },
    })
    .from(messages)
    .leftJoin(reply, and(eq(reply.replyToId, messages.id), eq(reply.userId, params.userId), eq(reply.role, "assistant")))
    .where(and(eq(messages.id, params.messageId), eq(messages.userId, params.userId), eq(messages.role, "user")))
    .orderBy(reply.createdAt)
    .limit(1)
    .prepare("chat_find_reply")
    .execute();
  if (!row) throw notFound("Message");
  return row;
}

/**
 * Makes `owner` the process answering one of my unanswered messages, if nobody else is:
 * the message has no owner yet, or its owner's lease lapsed (that process is gone), or it
 * is older than `staleAfterMs`. Null when another live process answers it, or when it is
 * answered already. A compare-and-set, so of concurrent takers across processes one wins.
 */
export async function takeExchange(
  db: Database,
  params: { userId: string; messageId: string; owner: string; staleAfterMs: number },
): Promise<StoredChatMessage | null> {
  const [taken] = await db
    .update(messages)
    .set({ ownerProcess: params.owner })
    .where(
      and(
        eq(messages.id, params.messageId),
        eq(messages.userId, params.userId),
        eq(messages.role, "user"),
        sql`not exists (select 1 from ${messages} r where r.reply_to_id = ${messages.id} and r.user_id = ${params.userId} and r.role = 'assistant')`,
        sql`(${messages.ownerProcess} is null
          or not exists (select 1 from ${processLeases} l where l.id = ${messages.ownerProcess} and l.expires_at > now())
          or ${messages.createdAt} < now() - make_interval(secs => ${params.staleAfterMs / 1000}))`,
      ),
    )
    .returning(chatMessageColumns);
  return taken ?? null;
}

/**
 * Saves the assistant's reply to `replyToId`, at most once: a transaction-scoped advisory
 * lock on the user message (lockExchange) serializes savers, and a reply already there is returned
 * (`created: false`) instead of a second one. Joins the caller's transaction (`withUser`) or opens one.
 */
export async function saveReply(
  db: Database,
  params: {
    userId: string;
    companionId: string;
    replyToId: string;
    content: string;
    status: ChatMessageStatus;
    /** Null when unknown (a stream cut before any attempt reported). */
    provider: string | null;
    model: string | null;
    /** The safety check's category when it flagged the reply (docs/safety.md). */
    flagged?: string | null | undefined;
  },
): Promise<{ reply: StoredChatMessage; created: boolean }> {
  return inTransaction(db, (tx) => saveReplyLocked(tx, params));
}

async function saveReplyLocked(db: Database, params: Parameters<typeof saveReply>[1]): Promise<{ reply: StoredChatMessage; created: boolean }> {
  await lockExchange(db, params.replyToId);
  const [existing] = await db
    .select(chatMessageColumns)
    .from(messages)
    .where(and(eq(messages.replyToId, params.replyToId), eq(messages.userId, params.userId), eq(messages.role, "assistant")))
    .orderBy(messages.createdAt)
    .limit(1)
    .prepare("chat_existing_reply")
    .execute();
  if (existing) return { reply: existing, created: false };
  const [saved] = await db
    .insert(messages)
    .values({
      userId: params.userId,
      companionId: params.companionId,
      role: "assistant",
      content: params.content,
      status: params.status,
      replyToId: params.replyToId,
      provider: params.provider,
      model: params.model,
      flagged: params.flagged ?? null,
    })
    .returning(chatMessageColumns)
    .prepare("chat_save_reply")
    .execute();
  if (!saved) throw new Error("insert into messages returned no row");
  // A regenerated exchange keeps every version (docs/chat-controls.md).
  await appendReplyAlternative(db, { ...params, userMessageId: params.replyToId, replyId: saved.id });
  return { reply: saved, created: true };
}

/** Stores the sentiment classified for one of my messages (-1..1). */
/** A user message as the after-reply job needs it (its sentiment is null until that job ran); null if gone. */
export async function findMessageForFollowUp(
  db: Database,
  params: { userId: string; messageId: string },
): Promise<{ content: string; createdAt: Date; sentiment: number | null } | null> {
  const [row] = await db
    .select({ content: messages.content, createdAt: messages.createdAt, sentiment: messages.sentiment })
    .from(messages)
    .where(and(eq(messages.id, params.messageId), eq(messages.userId, params.userId), eq(messages.role, "user")));
  return row ?? null;
}

/**
 * Stores a message's sentiment once: false when it already had one (the after-reply job ran
 * before), so the relationship is moved by each message once.
 */
export async function setMessageSentiment(db: Database, params: { userId: string; messageId: string; sentiment: number }): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({ sentiment: params.sentiment })
    .where(and(eq(messages.id, params.messageId), eq(messages.userId, params.userId), isNull(messages.sentiment)))
    .returning({ id: messages.id });
  return rows.length > 0;
}
