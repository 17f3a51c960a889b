/**
 * Rolling conversation summaries (docs/memory.md, "Rolling summary"): the oldest turns of a
 * conversation folded into prose, one new version per fold. The app role may only read them;
 * the memory.summarize job writes them as service code.
 */
import { and, asc, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { conversationSummaries, messages } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { assertCompanionVisible } from "../companions/visibility.ts";

export interface ConversationSummary {
  id: string;
  companionId: string;
  version: number;
  content: string;
  /** The newest message folded in. */
  coversUntil: Date;
  coversUntilMessageId: string;
  /** Messages folded in over all versions. */
  messageCount: number;
  method: "model" | "extractive";
  createdAt: Date;
}

const summaryColumns = {
  id: conversationSummaries.id,
  companionId: conversationSummaries.companionId,
  version: conversationSummaries.version,
  content: conversationSummaries.content,
  coversUntil: conversationSummaries.coversUntil,
  coversUntilMessageId: conversationSummaries.coversUntilMessageId,
  messageCount: conversationSummaries.messageCount,
  method: sql<"model" | "extractive">`${conversationSummaries.method}`,
  createdAt: conversationSummaries.createdAt,
};

const ofConversation = (userId: string, companionId: string) =>
  and(eq(conversationSummaries.userId, userId), eq(conversationSummaries.companionId, companionId));

/** The latest version of my conversation's summary with a companion, or null before the first fold. */
export async function getLatestSummary(db: Database, params: { userId: string; companionId: string }): Promise<ConversationSummary | null> {
  const [row] = await db
    .select(summaryColumns)
    .from(conversationSummaries)
    .where(ofConversation(params.userId, params.companionId))
    .orderBy(desc(conversationSummaries.version))
    .limit(1);
  return row ?? null;
}

/** The latest version for the person; null before the first fold, NOT_FOUND for a companion I cannot see. */
export async function getMySummary(db: Database, params: { userId: string; companionId: string }): Promise<ConversationSummary | null> {
  const latest = await getLatestSummary(db, params);
  if (!latest) await assertCompanionVisible(db, params.userId, params.companionId);
  return latest;
}

/** Every version, newest first, keyset-paged on (created_at, id). NOT_FOUND for a companion I cannot see. */
export async function listSummaries(
  db: Database,
  params: { userId: string; companionId: string; cursor?: string | undefined; limit: number },
): Promise<Page<ConversationSummary>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select(summaryColumns)
    .from(conversationSummaries)
    .where(
      and(
        ofConversation(params.userId, params.companionId),
        after
          ? sql`(${conversationSummaries.createdAt}, ${conversationSummaries.id}) < (${sql.param(after.createdAt, conversationSummaries.createdAt)}, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(conversationSummaries.createdAt), desc(conversationSummaries.id))
    .limit(params.limit + 1);
  if (rows.length === 0) await assertCompanionVisible(db, params.userId, params.companionId);
  return toPage(rows, params.limit, encodeCursor);
}

/**
 * Messages of the conversation after the latest summary, not failed: the turns the prompt's
 * history draws from. The same rule as `listRecentTurns`' filter (`unsummarized` below).
 */
export const unsummarized = (userId: string, companionId: string) => sql`not exists (
  select 1 from ${conversationSummaries} s where s.user_id = ${userId} and s.companion_id = ${companionId}
    and (${messages.createdAt}, ${messages.id}) <= (s.covers_until, s.covers_until_message_id))`;

const turnFilter = (userId: string, companionId: string) =>
  and(eq(messages.userId, userId), eq(messages.companionId, companionId), ne(messages.status, "failed"), isNull(messages.hiddenAt), unsummarized(userId, companionId));

/** How many turns are not folded yet, counting at most `cap` (the caller only asks "more than N?"). */
export async function countUnsummarizedTurns(db: Database, params: { userId: string; companionId: string; cap: number }): Promise<number> {
  const limited = db
    .select({ one: sql`1` })
    .from(messages)
    .where(turnFilter(params.userId, params.companionId))
    .limit(params.cap)
    .as("limited");
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(limited);
  return Number(row?.n ?? 0);
}

/** The oldest `limit` unfolded turns, oldest first. */
export async function listUnsummarizedTurns(
  db: Database,
  params: { userId: string; companionId: string; limit: number },
): Promise<{ id: string; role: "user" | "assistant"; content: string; createdAt: Date }[]> {
  return db
    .select({ id: messages.id, role: messages.role, content: messages.content, createdAt: messages.createdAt })
    .from(messages)
    .where(turnFilter(params.userId, params.companionId))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(params.limit);
}

/**
 * Stores the next version; false when that version exists already (a job run twice, or two
 * folds racing: the unique (user, companion, version) lets one win).
 */
export async function insertSummary(
  db: Database,
  params: Omit<ConversationSummary, "id" | "createdAt"> & { userId: string },
): Promise<boolean> {
  const rows = await db
    .insert(conversationSummaries)
    .values(params)
    .onConflictDoNothing({ target: [conversationSummaries.userId, conversationSummaries.companionId, conversationSummaries.version] })
    .returning({ id: conversationSummaries.id });
  return rows.length > 0;
}
