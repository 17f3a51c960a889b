/**
 * My inbox (docs/chat-controls.md): one row per conversation, most recent first, from
 * relationship_states (last_message_at is kept by a trigger on messages), and the read marker.
 */
import { and, desc, eq, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { DomainError, notFound } from "../../errors.ts";
import { decodeInboxCursor, encodeInboxCursor, toPage, type Page } from "../../pagination.ts";
import { companions, messages, relationshipStates } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { companionProfileColumns, type CompanionProfile } from "../companions/profiles.ts";
import { companionVisibleTo } from "../companions/visibility.ts";

/** Unread counts stop here: a client shows "99+" for it (counting further would scan a long unread run). */
const UNREAD_COUNT_CAP = 100;

export interface Conversation {
  companion: CompanionProfile;
  lastMessageAt: Date;
  lastMessage: { id: string; role: "user" | "assistant"; content: string; createdAt: Date } | null;
  unreadCount: number;
}

/**
 * The companion's messages after what I have read: after my read marker and after my own last
 * message (writing implies having read what came before), at most UNREAD_COUNT_CAP. A backward
 * range scan of messages_conversation_idx per conversation, inside the one statement.
 */
function unreadCount(userId: string, companionId: SQL | string, readUpTo: SQL): SQL<number> {
  return sql<number>`(select count(*)::int from (select 1 from messages u
    where u.user_id = ${userId} and u.companion_id = ${companionId} and u.role = 'assistant'
      and u.created_at > coalesce(greatest(${readUpTo}, (select mu.created_at from messages mu
        where mu.user_id = ${userId} and mu.companion_id = ${companionId} and mu.role = 'user' order by mu.created_at desc limit 1)), '-infinity')
    limit ${UNREAD_COUNT_CAP}) unread)`;
}

const last = alias(messages, "lm");

/**
 * My conversations, most recent first: keyset (last_message_at, companion_id) over
 * relationship_states_inbox_idx, with each companion's public profile, the last message
 * (a lateral join) and the unread count, in one statement. Companions I may no longer see drop out.
 */
export async function listConversations(db: Database, params: { userId: string; cursor?: string | undefined; limit: number }): Promise<Page<Conversation>> {
  const after = params.cursor ? decodeInboxCursor(params.cursor) : null;
  const lastMessage = db
    .select({ id: last.id, role: last.role, content: last.content, createdAt: last.createdAt })
    .from(last)
    .where(and(eq(last.userId, params.userId), eq(last.companionId, relationshipStates.companionId), isNull(last.hiddenAt)))
    .orderBy(desc(last.createdAt), desc(last.id))
    .limit(1)
    .as("last_message");
  const rows = await db
    .select({
      companion: companionProfileColumns,
      lastMessageAt: relationshipStates.lastMessageAt,
      lastMessage: { id: lastMessage.id, role: lastMessage.role, content: lastMessage.content, createdAt: lastMessage.createdAt },
      unreadCount: unreadCount(params.userId, sql`${relationshipStates.companionId}`, sql`${relationshipStates.readUpTo}`),
    })
    .from(relationshipStates)
    .innerJoin(companions, and(eq(companions.id, relationshipStates.companionId), companionVisibleTo(params.userId)))
    .leftJoinLateral(lastMessage, sql`true`)
    .where(
      and(
        eq(relationshipStates.userId, params.userId),
        isNotNull(relationshipStates.lastMessageAt),
        after
          ? sql`(${relationshipStates.lastMessageAt}, ${relationshipStates.companionId}) < (${sql.param(after.at, relationshipStates.lastMessageAt)}, ${after.companionId}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(relationshipStates.lastMessageAt), desc(relationshipStates.companionId))
    .limit(params.limit + 1);
  const items = rows.flatMap((r) => (r.lastMessageAt ? [{ ...r, lastMessageAt: r.lastMessageAt }] : []));
  return toPage(items, params.limit, (c) => encodeInboxCursor({ at: c.lastMessageAt, companionId: c.companion.id }));
}

/**
 * Marks the companion's messages up to `upTo` (a message of this conversation; default: its
 * newest) read. The marker only moves forward, so a late or repeated call changes nothing.
 * Returns the unread count after it. NOT_FOUND for a message or conversation that is not mine.
 */
export async function markConversationRead(db: Database, params: { userId: string; companionId: string; upTo?: string | undefined }): Promise<{ unreadCount: number }> {
  const upTo = params.upTo
    ? sql`(select m.created_at from messages m where m.id = ${params.upTo} and m.user_id = ${params.userId} and m.companion_id = ${params.companionId})`
    : sql`${relationshipStates.lastMessageAt}`;
  if (params.upTo) {
    const [found] = await db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.id, params.upTo), eq(messages.userId, params.userId), eq(messages.companionId, params.companionId)));
    if (!found) throw new DomainError("NOT_FOUND", "Message not found", { field: "upTo" });
  }
  const [row] = await db
    .update(relationshipStates)
    .set({ readUpTo: sql`greatest(${relationshipStates.readUpTo}, ${upTo})` })
    .where(
      and(
        eq(relationshipStates.userId, params.userId),
        eq(relationshipStates.companionId, params.companionId),
        sql`exists (select 1 from ${companions} where ${companions.id} = ${params.companionId} and ${companionVisibleTo(params.userId)})`,
      ),
    )
    .returning({ unreadCount: unreadCount(params.userId, params.companionId, sql`${relationshipStates.readUpTo}`) });
  if (!row) throw notFound("Conversation");
  return row;
}
