/**
 * Chat controls (docs/chat-controls.md): regenerate the reply to my last message, pick one of
 * its alternatives, edit my last message, delete an exchange. Each holds the exchange's
 * advisory lock (lockExchange, as saveReply does), so a control and a reply's save never
 * interleave. None calls a model: the reply a control asks for is written by messages.stream.
 */
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { DomainError, notFound } from "../../errors.ts";
import { memories, messages, relationshipStates, replyAlternatives } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { keepReplyAsAlternative, lockExchange, MAX_REPLY_ALTERNATIVES } from "./alternatives.ts";
import { chatMessageColumns, type StoredChatMessage } from "./exchange.ts";

// In a single-table select Drizzle drops the table from column references in the select list;
// spelled out, they name the outer row inside the subqueries.
const outer = {
  id: sql.raw(`"messages"."id"`),
  companionId: sql.raw(`"messages"."companion_id"`),
  createdAt: sql.raw(`"messages"."created_at"`),
  ownerProcess: sql.raw(`"messages"."owner_process"`),
};

/** One exchange as the controls see it, read under its lock. */
interface LockedExchange {
  message: StoredChatMessage;
  controlKey: string | null;
  replyId: string | null;
  /** Which alternative the reply shows (null: it has none). */
  alternative: number | null;
  /** Nothing of the conversation is newer than this exchange. */
  isLast: boolean;
  /** No reply yet, and a live process is writing it. */
  writing: boolean;
}

/**
 * The user message of the exchange `messageId` belongs to (it or its reply), locked. Null when
 * it is not mine (or gone) or is a companion's message that answers nothing (a proactive one).
 */
async function lockedExchange(db: Database, params: { userId: string; messageId: string; companionId?: string | undefined }): Promise<LockedExchange | null> {
  const [found] = await db
    .select({ role: messages.role, replyToId: messages.replyToId, companionId: messages.companionId })
    .from(messages)
    .where(and(eq(messages.id, params.messageId), eq(messages.userId, params.userId)));
  if (!found || (params.companionId !== undefined && found.companionId !== params.companionId)) return null;
  const userMessageId = found.role === "user" ? params.messageId : found.replyToId;
  if (!userMessageId) return null;
  await lockExchange(db, userMessageId);
  const reply = sql`(select r.id from messages r where r.reply_to_id = ${outer.id} and r.user_id = ${params.userId} and r.role = 'assistant' order by r.created_at limit 1)`;
  const [row] = await db
    .select({
      message: chatMessageColumns,
      controlKey: messages.controlKey,
      replyId: sql<string | null>`${reply}`,
      alternative: sql<number | null>`(select r.alternative from messages r where r.id = ${reply})`,
      ownerAlive: sql<boolean>`exists (select 1 from process_leases l where l.id = ${outer.ownerProcess} and l.expires_at > now())`,
      isLast: sql<boolean>`not exists (select 1 from messages later where later.user_id = ${params.userId} and later.companion_id = ${outer.companionId}
        and (later.created_at, later.id) > (${outer.createdAt}, ${outer.id}) and later.reply_to_id is distinct from ${outer.id})`,
    })
    .from(messages)
    .where(and(eq(messages.id, userMessageId), eq(messages.userId, params.userId), eq(messages.role, "user")));
  if (!row) return null;
  return {
    message: row.message,
    controlKey: row.controlKey,
    replyId: row.replyId,
    alternative: row.alternative,
    isLast: row.isLast,
    writing: !row.replyId && row.ownerAlive,
  };
}

function assertLastAndIdle(ex: LockedExchange, action: string): void {
  if (!ex.isLast) throw new DomainError("CONFLICT", `Only my last message and its reply can be ${action}: the conversation has moved on`, { field: "messageId" });
  if (ex.writing) throw new DomainError("CONFLICT", "A reply to this message is still being written; wait for it (messages.stream) first", { field: "messageId" });
}

/** Drops the exchange's replies (their memories keep their text and lose the link: the foreign key sets null). */
async function dropReplies(db: Database, userId: string, userMessageId: string): Promise<void> {
  await db.delete(messages).where(and(eq(messages.replyToId, userMessageId), eq(messages.userId, userId), eq(messages.role, "assistant")));
}

/** The control key stored on the user message: the kind of control, so an edit's key is not a regenerate's. */
const controlKeyOf = (kind: "regenerate" | "edit", key: string) => `${kind}:${key}`;

function assertKeyNotSpentElsewhere(ex: LockedExchange, kind: "regenerate" | "edit", key: string): void {
  const other = controlKeyOf(kind === "edit" ? "regenerate" : "edit", key);
  if (ex.controlKey === other) throw new DomainError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used for another control", { field: "idempotencyKey" });
}

/**
 * Asks for a new reply to my last message: the current reply becomes an alternative (version 0
 * the first time) and leaves `messages`, and the message waits unanswered for messages.stream.
 * A retry under the same key changes nothing. NOT_FOUND if it is not mine; CONFLICT when it is
 * not my last exchange, its reply is still being written, or it has MAX_REPLY_ALTERNATIVES versions.
 */
export async function regenerateReply(
  db: Database,
  params: { userId: string; companionId: string; messageId: string; idempotencyKey: string },
): Promise<StoredChatMessage> {
  const ex = await lockedExchange(db, params);
  if (!ex) throw notFound("Message");
  const key = controlKeyOf("regenerate", params.idempotencyKey);
  if (ex.controlKey === key) return ex.message;
  assertKeyNotSpentElsewhere(ex, "regenerate", params.idempotencyKey);
  assertLastAndIdle(ex, "regenerated");
  if (ex.replyId) {
    const versions = await keepReplyAsAlternative(db, { userId: params.userId, userMessageId: ex.message.id, replyId: ex.replyId });
    if (versions >= MAX_REPLY_ALTERNATIVES) {
      throw new DomainError("CONFLICT", `A reply keeps at most ${MAX_REPLY_ALTERNATIVES} versions; edit the message to start over`, { field: "messageId" });
    }
    await dropReplies(db, params.userId, ex.message.id);
  }
  await db.update(messages).set({ controlKey: key, ownerProcess: null }).where(eq(messages.id, ex.message.id));
  return ex.message;
}

/**
 * Replaces the text of my last message and drops its reply and alternatives; the new reply comes
 * from messages.stream. Memories saved from the old text keep it and lose the link. The same key
 * with the same text changes nothing; with another text it is IDEMPOTENCY_KEY_REUSED.
 * BAD_REQUEST for a companion's message; otherwise the errors of regenerateReply.
 */
export async function editLastMessage(
  db: Database,
  params: { userId: string; messageId: string; content: string; idempotencyKey: string; flagged?: string | null },
): Promise<StoredChatMessage> {
  const ex = await lockedExchange(db, params);
  if (!ex) throw notFound("Message");
  if (ex.message.id !== params.messageId) throw new DomainError("BAD_REQUEST", "Only my own messages can be edited", { field: "messageId" });
  const key = controlKeyOf("edit", params.idempotencyKey);
  if (ex.controlKey === key) {
    if (ex.message.content === params.content) return ex.message;
    throw new DomainError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used for a different edit", { field: "idempotencyKey" });
  }
  assertKeyNotSpentElsewhere(ex, "edit", params.idempotencyKey);
  assertLastAndIdle(ex, "edited");
  await dropReplies(db, params.userId, ex.message.id);
  await db.delete(replyAlternatives).where(and(eq(replyAlternatives.userMessageId, ex.message.id), eq(replyAlternatives.userId, params.userId)));
  await db.update(memories).set({ messageId: null }).where(and(eq(memories.messageId, ex.message.id), eq(memories.userId, params.userId)));
  const [edited] = await db
    .update(messages)
    .set({ content: params.content, controlKey: key, ownerProcess: null, flagged: params.flagged ?? null })
    .where(eq(messages.id, ex.message.id))
    .returning(chatMessageColumns);
  if (!edited) throw new Error("update of messages returned no row");
  return edited;
}

/**
 * Shows alternative `position` of my last exchange's reply: its text, status and provider move
 * into the reply row, which history, prompt and search read. Idempotent. NOT_FOUND if the
 * message is not mine or has no such alternative; CONFLICT as for regenerateReply, or while the
 * reply is being regenerated.
 */
export async function selectReplyAlternative(
  db: Database,
  params: { userId: string; messageId: string; position: number },
): Promise<{ reply: StoredChatMessage; changed: boolean; count: number }> {
  const ex = await lockedExchange(db, params);
  if (!ex) throw notFound("Message");
  assertLastAndIdle(ex, "changed");
  if (!ex.replyId) throw new DomainError("CONFLICT", "The new reply has not been written yet; stream it (messages.stream) first", { field: "messageId" });
  const [chosen, counted] = await Promise.all([
    db
      .select({ content: replyAlternatives.content, status: replyAlternatives.status, provider: replyAlternatives.provider, model: replyAlternatives.model })
      .from(replyAlternatives)
      .where(and(eq(replyAlternatives.userMessageId, ex.message.id), eq(replyAlternatives.userId, params.userId), eq(replyAlternatives.position, params.position))),
    db
      .select({ count: sql<number>`count(*)::int` })
      .from(replyAlternatives)
      .where(and(eq(replyAlternatives.userMessageId, ex.message.id), eq(replyAlternatives.userId, params.userId))),
  ]);
  const alternative = chosen[0];
  if (!alternative) throw new DomainError("NOT_FOUND", "Alternative not found", { field: "position" });
  const changed = ex.alternative !== params.position;
  const [reply] = await db
    .update(messages)
    .set(changed ? { ...alternative, alternative: params.position } : { alternative: params.position })
    .where(eq(messages.id, ex.replyId))
    .returning(chatMessageColumns);
  if (!reply) throw new Error("update of messages returned no row");
  // A memory saved from the text shown before keeps that text and loses the link.
  if (changed) await db.update(memories).set({ messageId: null }).where(and(eq(memories.messageId, ex.replyId), eq(memories.userId, params.userId)));
  return { reply, changed, count: counted[0]?.count ?? 0 };
}

/**
 * Deletes one of my messages with the rest of its exchange: a user message with its reply and
 * alternatives, a reply with the message it answers, a companion's own message alone. Memories
 * saved from them keep their text and lose the link. Gone already, or not mine: `deleted: false`.
 * CONFLICT while the reply is being written.
 */
export async function deleteExchange(db: Database, params: { userId: string; messageId: string }): Promise<{ deleted: boolean; messageIds: string[] }> {
  const ex = await lockedExchange(db, params);
  let ids: string[];
  if (ex) {
    if (ex.writing) throw new DomainError("CONFLICT", "A reply to this message is still being written; wait for it (messages.stream) first", { field: "messageId" });
    ids = [ex.message.id];
  } else {
    ids = [params.messageId]; // a proactive message, or nothing of mine
  }
  const deleted = await db
    .delete(messages)
    .where(and(eq(messages.userId, params.userId), or(inArray(messages.id, ids), ex ? eq(messages.replyToId, ex.message.id) : undefined)))
    .returning({ id: messages.id, companionId: messages.companionId });
  const companionId = deleted[0]?.companionId;
  if (!companionId) return { deleted: false, messageIds: [] };
  // The trigger only moves last activity forward; deleting the newest messages moves it back.
  await db
    .update(relationshipStates)
    .set({ lastMessageAt: sql`(select max(m.created_at) from messages m where m.user_id = ${params.userId} and m.companion_id = ${companionId})` })
    .where(and(eq(relationshipStates.userId, params.userId), eq(relationshipStates.companionId, companionId)));
  return { deleted: true, messageIds: deleted.map((d) => d.id) };
}
