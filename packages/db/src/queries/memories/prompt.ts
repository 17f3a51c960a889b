/**
 * What a reply's prompt takes from memory (docs/memory.md): the pinned memories, the best
 * unpinned ones by the retrieval score, and the rolling summary. Like the rest of the chat
 * path (queries/messages/exchange.ts) each statement is prepared on its transaction.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { conversationSummaries, memories } from "../../schema/index.ts";
import { executePrepared, rowsOf } from "../../raw-sql.ts";
import type { Database } from "../../types.ts";

export interface PromptMemoryRow {
  id: string;
  title: string;
  content: string;
}

/**
 * Memories for the prompt: pinned ones (newest first), then the best unpinned ones by the
 * retrieval score (docs/memory.md, "Retrieval score"): importance, recency and relevance to
 * `searchQuery`, each normalized to 0..1, equal weights, computed here in one statement.
 * `searchQuery` is websearch syntax (e.g. `hiking or dog`); null scores relevance 0.
 */
export async function loadPromptMemories(
  db: Database,
  params: { userId: string; companionId: string; searchQuery: string | null; pinnedLimit: number; relevantLimit: number },
): Promise<{ pinned: PromptMemoryRow[]; relevant: PromptMemoryRow[] }> {
  const mine = and(eq(memories.userId, params.userId), eq(memories.companionId, params.companionId));
  const columns = { id: memories.id, title: memories.title, content: memories.content };
  const pinned = db
    .select(columns)
    .from(memories)
    .where(and(mine, eq(memories.pinned, true)))
    .orderBy(desc(memories.createdAt), desc(memories.id))
    .limit(params.pinnedLimit)
    .prepare("chat_pinned_memories");
  if (params.relevantLimit === 0) return { pinned: await pinned.execute(), relevant: [] };
  const [pinnedRows, relevantRows] = await Promise.all([pinned.execute(), executePrepared(db, params.searchQuery === null ? "chat_scored_memories" : "chat_scored_memories_q", scoredMemories(params))]);
  return { pinned: pinnedRows, relevant: rowsOf(relevantRows) as PromptMemoryRow[] };
}

/** Recency decays by this factor per hour since last use (ai-town's retrieval score). */
const RECENCY_DECAY_PER_HOUR = 0.99;

function scoredMemories(params: { userId: string; companionId: string; searchQuery: string | null; relevantLimit: number }) {
  const rank = params.searchQuery === null ? sql`0::real` : sql`ts_rank(search, websearch_to_tsquery('simple', ${params.searchQuery}))`;
  // Relevance is divided by the best rank among the candidates, so it spans 0..1 like the other two.
  return sql`select id, title, content from (
      select id, title, content, created_at,
        (importance - 1) / 9.0 as importance_score,
        power(${RECENCY_DECAY_PER_HOUR}::float8, greatest(0, extract(epoch from now() - coalesce(last_used_at, created_at)) / 3600)) as recency_score,
        coalesce(${rank} / nullif(max(${rank}) over (), 0), 0) as relevance_score
      from memories
      where user_id = ${params.userId} and companion_id = ${params.companionId} and not pinned
    ) scored
    order by importance_score + recency_score + relevance_score desc, created_at desc, id desc
    limit ${params.relevantLimit}`;
}

/** The latest rolling summary of the conversation, for the prompt; null before the first fold. */
export async function loadPromptSummary(db: Database, params: { userId: string; companionId: string }): Promise<string | null> {
  const [row] = await db
    .select({ content: conversationSummaries.content })
    .from(conversationSummaries)
    .where(and(eq(conversationSummaries.userId, params.userId), eq(conversationSummaries.companionId, params.companionId)))
    .orderBy(desc(conversationSummaries.version))
    .limit(1)
    .prepare("chat_summary")
    .execute();
  return row?.content ?? null;
}

