import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { companions, messages } from "../../schema/index.ts";
import { prepareOnce } from "../../prepared.ts";
import type { Database } from "../../types.ts";
import { decodeCursor, encodeCursor, toPage } from "../../pagination.ts";
import { assertCompanionVisible, companionVisibleTo } from "../companions/visibility.ts";
import { loadMessageStoryRefs, type MessageStoryRef } from "../stories/replies.ts";

export type MessageRole = "user" | "assistant";
export type MessageStatus = "complete" | "partial" | "failed";

export interface Message {
  id: string;
  companionId: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  /** The companion wrote it first (the proactive job), not as a reply. */
  proactive: boolean;
  createdAt: Date;
}

export interface MessageWithMemoryFlag extends Message {
  /** I saved this message as a memory. */
  isMemorized: boolean;
  /** The story this message answers (stories.reply) while I may still see it; null otherwise. */
  story: MessageStoryRef | null;
  /** On a regenerated reply: which of its versions it shows, of how many (docs/chat-controls.md). */
  alternatives: { position: number; count: number } | null;
}

const messageColumns = {
  id: messages.id,
  companionId: messages.companionId,
  role: messages.role,
  content: messages.content,
  status: messages.status,
  proactive: messages.proactive,
  createdAt: messages.createdAt,
};

/**
 * Stores one message of a conversation as given: no visibility or connection checks (the
 * chat service does those). Tests use it to build histories with chosen timestamps.
 */
export async function insertMessage(
  db: Database,
  params: {
    userId: string;
    companionId: string;
    role: MessageRole;
    content: string;
    status?: MessageStatus;
    idempotencyKey?: string | null;
    replyToId?: string | null;
    sentiment?: number | null;
    createdAt?: Date;
  },
): Promise<Message> {
  const [row] = await db.insert(messages).values(params).returning(messageColumns);
  if (!row) throw new Error("insert into messages returned no row");
  return row;
}

interface HistoryValues extends Record<string, unknown> {
  userId: string;
  companionId: string;
  /** `limit + 1`: the extra row says a next page exists. */
  take: number;
  afterCreatedAt: Date | null;
  afterId: string | null;
}

type HistoryRow = [
  id: string,
  companionId: string,
  role: MessageRole,
  content: string,
  status: MessageStatus,
  proactive: boolean,
  createdAt: string,
  isMemorized: boolean,
  storyId: string | null,
  alternative: number | null,
  alternativeCount: number | null,
];

/** One page of the history, from the start or after a cursor (one statement each, built once). */
function historyPage(name: string, afterCursor: boolean) {
  return prepareOnce<HistoryValues, Message & { isMemorized: boolean; storyId: string | null; alternative: number | null; alternativeCount: number | null }>(
    name,
    (db, slot) =>
      db
        .select({
          ...messageColumns,
          // Spelled out with an alias: in a single-table select Drizzle drops table qualifiers from
          // column references in the select list, and an unqualified "id" here would mean memories.id.
          isMemorized: sql<boolean>`exists (select 1 from memories mm where mm.message_id = "messages"."id" and mm.user_id = ${slot("userId")})`,
          storyId: messages.storyId,
          alternative: messages.alternative,
          alternativeCount: sql<number | null>`case when "messages"."alternative" is not null then
        (select count(*)::int from reply_alternatives ra where ra.user_message_id = "messages"."reply_to_id" and ra.user_id = ${slot("userId")}) end`,
        })
        .from(messages)
        .where(
          and(
            eq(messages.userId, slot("userId")),
            eq(messages.companionId, slot("companionId")),
            // Hidden by moderation (docs/moderation.md): gone from every read.
            isNull(messages.hiddenAt),
            afterCursor
              ? sql`(${messages.createdAt}, ${messages.id}) < (${sql.param(slot("afterCreatedAt"), messages.createdAt)}, ${slot("afterId")}::uuid)`
              : undefined,
            sql`exists (select 1 from ${companions} where ${companions.id} = ${slot("companionId")} and ${companionVisibleTo(slot("userId"))})`,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(slot("take")),
    (row) => {
      const [id, companionId, role, content, status, proactive, createdAt, isMemorized, storyId, alternative, alternativeCount] = row as HistoryRow;
      return { id, companionId, role, content, status, proactive, createdAt: new Date(createdAt), isMemorized, storyId, alternative, alternativeCount };
    },
  );
}

const historyPages = { first: historyPage("messages_list", false), after: historyPage("messages_list_after", true) };

/**
 * My conversation with a companion, newest first, keyset-paged on (created_at, id) over
 * messages(user_id, companion_id, created_at, id), scanned backward: no sort, and page
 * depth costs nothing. `isMemorized` is an EXISTS in the same query (one data query per
 * page). A companion I cannot see is NOT_FOUND; telling it from an empty history costs a
 * second query, but only on an empty page; so do the stories my replies answer
 * (loadMessageStoryRefs), only on a page that has any. Built once and run by name: one
 * round trip per page, no query building (prepared.ts).
 */
export async function listMessages(
  db: Database,
  params: { userId: string; companionId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: MessageWithMemoryFlag[]; nextCursor: string | null }> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await (after ? historyPages.after : historyPages.first)(db, {
    userId: params.userId,
    companionId: params.companionId,
    take: params.limit + 1,
    afterCreatedAt: after?.createdAt ?? null,
    afterId: after?.id ?? null,
  });
  if (rows.length === 0) await assertCompanionVisible(db, params.userId, params.companionId);
  const page = toPage(rows, params.limit, encodeCursor);
  // The answered stories in one batch, and only on a page that has story replies.
  const storyIds = [...new Set(page.items.flatMap((m) => (m.storyId === null ? [] : [m.storyId])))];
  const refs = await loadMessageStoryRefs(db, { userId: params.userId, storyIds });
  const items = page.items.map(({ storyId, alternative, alternativeCount, ...m }) => ({
    ...m,
    story: storyId === null ? null : (refs.get(storyId) ?? null),
    alternatives: alternative !== null && alternativeCount !== null ? { position: alternative, count: alternativeCount } : null,
  }));
  return { items, nextCursor: page.nextCursor };
}
