/**
 * Automatic memories (docs/memory.md, "Automatic memory"): what the memory.extract job reads
 * (the exchange, the person's closest memories) and writes (facts, one memory per fact key),
 * and the prompt's "last used" stamp. The job runs them in the user's scope (`withUser`).
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { memories, messages } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { rowsOf } from "../../raw-sql.ts";

const reply = alias(messages, "reply");

/**
 * One of my messages as the extraction needs it: the user's text and the reply it got (for
 * context). Null when it is gone, not a user message, or has no usable reply yet.
 */
export async function findExchangeForExtraction(
  db: Database,
  params: { userId: string; messageId: string },
): Promise<{ companionId: string; content: string; reply: string; createdAt: Date } | null> {
  const [row] = await db
    .select({ companionId: messages.companionId, content: messages.content, reply: reply.content, createdAt: messages.createdAt })
    .from(messages)
    .innerJoin(reply, and(eq(reply.replyToId, messages.id), eq(reply.userId, params.userId), eq(reply.role, "assistant")))
    .where(
      and(
        eq(messages.id, params.messageId),
        eq(messages.userId, params.userId),
        eq(messages.role, "user"),
        eq(messages.proactive, false),
        sql`${reply.status} <> 'failed'`,
      ),
    )
    .orderBy(reply.createdAt)
    .limit(1);
  return row ?? null;
}

export interface MemoryCandidate {
  id: string;
  factKey: string | null;
  title: string;
  content: string;
  source: "manual" | "auto";
}

/**
 * The person's memories closest to a message, for the model to update instead of adding:
 * best full-text match first (`searchQuery` in websearch syntax, null for none), then the most
 * recently changed, so a short list always has something to compare with.
 */
export async function listMemoryCandidates(
  db: Database,
  params: { userId: string; companionId: string; searchQuery: string | null; limit: number },
): Promise<MemoryCandidate[]> {
  const byRank = params.searchQuery === null ? [] : [sql`ts_rank(${memories.search}, websearch_to_tsquery('simple', ${params.searchQuery})) desc`];
  return db
    .select({ id: memories.id, factKey: memories.factKey, title: memories.title, content: memories.content, source: memories.source })
    .from(memories)
    .where(and(eq(memories.userId, params.userId), eq(memories.companionId, params.companionId)))
    .orderBy(...byRank, desc(memories.updatedAt), desc(memories.id))
    .limit(params.limit);
}

export interface AutoFact {
  /** An existing memory this fact replaces (the model said "update"); checked to be mine. */
  memoryId?: string | undefined;
  key: string;
  content: string;
  importance: number;
}

/** What a fact key reads as in the list and the prompt: "pet:rex" → "pet". */
const titleOfKey = (key: string) => key.split(":")[0] ?? key;

/**
 * Writes extracted facts in one transaction. A fact naming an auto memory of mine updates it;
 * one naming a manual memory is dropped (the person's own words win); otherwise an UPSERT on
 * (user, companion, fact_key): the same key updates one memory. Unchanged content changes
 * nothing (not even updated_at), so a job run twice is a no-op the second time.
 */
export async function applyAutoFacts(
  db: Database,
  params: { userId: string; companionId: string; facts: readonly AutoFact[] },
): Promise<{ added: number; updated: number; ignored: number }> {
  const { userId, companionId } = params;
  return inTransaction(db, async (tx) => {
    const counts = { added: 0, updated: 0, ignored: 0 };
    const named = params.facts.flatMap((f) => (f.memoryId ? [f.memoryId] : []));
    const owned = named.length === 0 ? [] : await tx
      .select({ id: memories.id, source: memories.source })
      .from(memories)
      .where(and(eq(memories.userId, userId), eq(memories.companionId, companionId), inArray(memories.id, named)));
    const sourceOf = new Map(owned.map((m) => [m.id, m.source]));
    for (const fact of params.facts) {
      const target = fact.memoryId === undefined ? undefined : sourceOf.get(fact.memoryId);
      if (target === "manual") {
        counts.ignored++;
        continue;
      }
      if (fact.memoryId !== undefined && target === "auto") {
        counts[(await updateAutoMemory(tx, { userId, memoryId: fact.memoryId, fact })) ? "updated" : "ignored"]++;
        continue;
      }
      const outcome = await upsertFactByKey(tx, { userId, companionId, fact });
      counts[outcome]++;
    }
    return counts;
  });
}

async function updateAutoMemory(db: Database, params: { userId: string; memoryId: string; fact: AutoFact }): Promise<boolean> {
  const { fact } = params;
  // The key moves onto this memory unless another memory holds it already (the unique index).
  const rows = await db
    .update(memories)
    .set({
      content: fact.content,
      importance: fact.importance,
      factKey: sql`coalesce(${memories.factKey}, case when exists (
        select 1 from memories other where other.user_id = ${memories.userId} and other.companion_id = ${memories.companionId}
          and other.fact_key = ${fact.key}) then null else ${fact.key} end)`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(memories.id, params.memoryId),
        eq(memories.userId, params.userId),
        sql`(${memories.content} is distinct from ${fact.content} or ${memories.importance} <> ${fact.importance})`,
      ),
    )
    .returning({ id: memories.id });
  return rows.length > 0;
}

async function upsertFactByKey(
  db: Database,
  params: { userId: string; companionId: string; fact: AutoFact },
): Promise<"added" | "updated" | "ignored"> {
  const { fact } = params;
  const result = await db.execute(sql`
    insert into memories (user_id, companion_id, title, content, source, importance, fact_key)
    values (${params.userId}, ${params.companionId}, ${titleOfKey(fact.key)}, ${fact.content}, 'auto', ${fact.importance}, ${fact.key})
    on conflict (user_id, companion_id, fact_key) where fact_key is not null do update
      set content = excluded.content, importance = excluded.importance, updated_at = now()
      where memories.content is distinct from excluded.content or memories.importance <> excluded.importance
    returning (xmax = 0) as inserted`);
  const [row] = rowsOf(result) as { inserted: boolean }[];
  if (!row) return "ignored";
  return row.inserted ? "added" : "updated";
}

/**
 * Stamps the memories a prompt used (the retrieval score's recency), at the exchange's time so
 * that a job run again changes nothing; a later stamp is never moved back.
 */
export async function markMemoriesUsed(db: Database, params: { userId: string; memoryIds: readonly string[]; at: Date }): Promise<number> {
  if (params.memoryIds.length === 0) return 0;
  const rows = await db
    .update(memories)
    .set({ lastUsedAt: params.at })
    .where(
      and(
        eq(memories.userId, params.userId),
        inArray(memories.id, [...params.memoryIds]),
        sql`(${memories.lastUsedAt} is null or ${memories.lastUsedAt} < ${params.at.toISOString()}::timestamptz)`,
      ),
    )
    .returning({ id: memories.id });
  return rows.length;
}

/** Auto memories of a conversation written at or after `since` (the extraction's new and changed ones). */
export async function listAutoMemoriesChangedSince(db: Database, params: { userId: string; companionId: string; since: Date }): Promise<string[]> {
  const rows = await db
    .select({ id: memories.id })
    .from(memories)
    .where(
      and(
        eq(memories.userId, params.userId),
        eq(memories.companionId, params.companionId),
        eq(memories.source, "auto"),
        sql`${memories.updatedAt} >= ${sql.param(params.since, memories.updatedAt)}`,
      ),
    )
    .limit(100);
  return rows.map((r) => r.id);
}
