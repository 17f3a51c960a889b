/**
 * A reply's alternatives (SillyTavern's swipes, docs/chat-controls.md): every version of the
 * reply to one user message once it was regenerated, in `reply_alternatives` by position. The
 * reply row in `messages` always holds the selected one (`messages.alternative`), so history,
 * prompt, search and summaries read `messages` alone.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { executePrepared } from "../../raw-sql.ts";
import { notFound } from "../../errors.ts";
import { messages, replyAlternatives } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** How many versions one reply keeps; a regenerate past it is a CONFLICT. */
export const MAX_REPLY_ALTERNATIVES = 20;

// Namespace of the two-key advisory locks on an exchange ("CH"), apart from other users of advisory locks.
const EXCHANGE_LOCK_CLASS = 0x4348;

/**
 * Serializes everything that writes one exchange (saveReply and the chat controls) until the
 * transaction ends: a transaction-scoped advisory lock on the user message's id.
 */
export async function lockExchange(db: Database, userMessageId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(EXCHANGE_LOCK_CLASS))}, hashtext(${userMessageId}))`);
}

/**
 * After saveReply inserted `replyId`: when the exchange has alternatives (it was regenerated),
 * the new reply becomes the next one and the selected one. One statement; nothing when it has none.
 */
export async function appendReplyAlternative(
  db: Database,
  params: { userId: string; userMessageId: string; replyId: string; content: string; status: string; provider: string | null; model: string | null },
): Promise<void> {
  await executePrepared(
    db,
    "chat_append_alternative",
    sql`with next as (
        select max(position) + 1 as position from reply_alternatives where user_message_id = ${params.userMessageId} and user_id = ${params.userId}
      ), added as (
        insert into reply_alternatives (user_id, user_message_id, position, content, status, provider, model)
        select ${params.userId}::uuid, ${params.userMessageId}::uuid, next.position, ${params.content}::text, ${params.status}::text, ${params.provider}::text, ${params.model}::text
        from next where next.position is not null
        returning position
      )
      update messages set alternative = added.position from added where messages.id = ${params.replyId} and messages.user_id = ${params.userId}`,
  );
}

export interface ReplyAlternative {
  position: number;
  content: string;
  status: "complete" | "partial" | "failed";
  createdAt: Date;
}

/**
 * The versions of an exchange's reply (`messageId`: my message or its reply), by position, and
 * which one the reply shows; none before a regenerate. NOT_FOUND when the message is not mine.
 */
export async function listReplyAlternatives(db: Database, params: { userId: string; messageId: string }): Promise<{ items: ReplyAlternative[]; selected: number | null }> {
  const [found] = await db
    .select({
      userMessageId: sql<string | null>`case when ${messages.role} = 'user' then ${messages.id} else ${messages.replyToId} end`,
      selected: sql<number | null>`case when ${messages.role} = 'assistant' then ${messages.alternative}
        else (select r.alternative from messages r where r.reply_to_id = ${params.messageId} and r.user_id = ${params.userId} and r.role = 'assistant' limit 1) end`,
    })
    .from(messages)
    .where(and(eq(messages.id, params.messageId), eq(messages.userId, params.userId)));
  if (!found) throw notFound("Message");
  if (!found.userMessageId) return { items: [], selected: null };
  const items = await db
    .select({ position: replyAlternatives.position, content: replyAlternatives.content, status: replyAlternatives.status, createdAt: replyAlternatives.createdAt })
    .from(replyAlternatives)
    .where(and(eq(replyAlternatives.userMessageId, found.userMessageId), eq(replyAlternatives.userId, params.userId)))
    .orderBy(asc(replyAlternatives.position));
  return { items, selected: found.selected };
}

/** Keeps the reply row as version 0 when an exchange is regenerated the first time; the number of versions now. */
export async function keepReplyAsAlternative(db: Database, params: { userId: string; userMessageId: string; replyId: string }): Promise<number> {
  await db.execute(sql`insert into reply_alternatives (user_id, user_message_id, position, content, status, provider, model, created_at)
    select user_id, ${params.userMessageId}::uuid, 0, content, status, provider, model, created_at from messages
    where id = ${params.replyId} and user_id = ${params.userId}
      and not exists (select 1 from reply_alternatives where user_message_id = ${params.userMessageId} and user_id = ${params.userId})`);
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(replyAlternatives)
    .where(and(eq(replyAlternatives.userMessageId, params.userMessageId), eq(replyAlternatives.userId, params.userId)));
  return row?.count ?? 0;
}
