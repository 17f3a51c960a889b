import { sql, type SQL } from "drizzle-orm";
import { decodeHybridCursor, encodeHybridCursor, toPage, type Page, type SearchKind } from "../pagination.ts";
import { isoText, rowsOf } from "../raw-sql.ts";
import type { Database } from "../types.ts";
import { assertCompanionVisible, companionVisibleTo } from "./companions/visibility.ts";
import { candidates, HEADLINE_OPTIONS, SEARCH_CONFIG, stripMarkers, toHit, tsquery, type SearchHit, type SearchParams } from "./search.ts";

/**
 * Search embeddings (docs/search.md, "Hybrid"): tables made by drizzle/0011_search.sql only
 * where the vector extension exists, so they are reached by raw SQL, never the Drizzle schema.
 */

/** Whether the embedding tables exist in this database (the vector extension was there to migrate). */
export async function searchEmbeddingTablesExist(db: Database): Promise<boolean> {
  const [row] = rowsOf(await db.execute(sql`select to_regclass('message_embeddings') is not null and to_regclass('memory_embeddings') is not null as "exists"`)) as { exists: boolean }[];
  return row?.exists === true;
}

const tables = {
  memory: { embeddings: sql.raw("memory_embeddings"), source: sql.raw("memories"), key: sql.raw("memory_id") },
  message: { embeddings: sql.raw("message_embeddings"), source: sql.raw("messages"), key: sql.raw("message_id") },
} as const;

/** The text each row is embedded from (a memory: its title and content), for the rows that still exist. */
export async function textsToEmbed(db: Database, params: { kind: SearchKind; ids: string[] }): Promise<{ id: string; userId: string; text: string }[]> {
  const text = params.kind === "memory" ? sql`case when title = '' then content else title || ': ' || content end` : sql`content`;
  const rows = rowsOf(
    await db.execute(sql`select id, user_id as "userId", ${text} as text from ${tables[params.kind].source} where id = any(${sql.param(params.ids)}::uuid[]) order by id`),
  );
  return rows as { id: string; userId: string; text: string }[];
}

/** Stores each row's vector for `model`, replacing an older one of the same row and model (an edited memory). */
export async function upsertEmbeddings(db: Database, params: { kind: SearchKind; model: string; rows: { id: string; userId: string; embedding: number[] }[] }): Promise<void> {
  if (params.rows.length === 0) return;
  const t = tables[params.kind];
  const values = params.rows.map((r) => sql`(${r.id}::uuid, ${r.userId}::uuid, ${params.model}, ${JSON.stringify(r.embedding)}::vector)`);
  await db.execute(sql`insert into ${t.embeddings} (${t.key}, user_id, model, embedding) values ${sql.join(values, sql`, `)}
    on conflict (${t.key}, model) do update set embedding = excluded.embedding, created_at = now()
    where ${t.embeddings}.embedding is distinct from excluded.embedding`);
}

/** How many of each ranking's best enter the fusion, and RRF's damping constant (docs/search.md). */
const HYBRID_CANDIDATES = 200;
const RRF_K = 60;

interface Ranked {
  kind: SearchKind;
  id: string;
}

/**
 * Full-text and vector rankings fused by reciprocal rank fusion: each list's best
 * HYBRID_CANDIDATES, score = Σ 1 / (60 + position), paged on (score, kind, id). The same
 * data gives the same fused list, so a page starts where the previous one ended.
 */
export async function searchHybrid(db: Database, params: SearchParams & { model: string; embedding: number[] }): Promise<Page<SearchHit>> {
  const after = params.cursor ? decodeHybridCursor(params.cursor) : null;
  const lexical = rowsOf(
    await db.execute(sql`select kind, id from (${candidates(params)}) hits order by rank desc, kind desc, id desc limit ${HYBRID_CANDIDATES}`),
  ) as Ranked[];
  const semantic = await vectorRanking(db, params);
  const scores = new Map<string, { kind: SearchKind; id: string; score: number }>();
  for (const list of [lexical, semantic]) {
    list.forEach((r, i) => {
      const key = `${r.kind}:${r.id}`;
      const entry = scores.get(key) ?? { kind: r.kind, id: r.id, score: 0 };
      entry.score += 1 / (RRF_K + i + 1);
      scores.set(key, entry);
    });
  }
  const before = (a: { score: number; kind: string; id: string }, b: { score: number; kind: string; id: string }) =>
    a.score !== b.score ? a.score > b.score : a.kind !== b.kind ? a.kind > b.kind : a.id > b.id;
  const fused = [...scores.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).filter((e) => !after || before(after, e));
  const page = fused.slice(0, params.limit + 1);
  if (page.length === 0 && params.companionId) await assertCompanionVisible(db, params.userId, params.companionId);
  const details = await hitDetails(db, params, page);
  const rows = page.flatMap((e) => {
    const d = details.get(`${e.kind}:${e.id}`);
    return d ? [{ ...d, score: e.score }] : [];
  });
  const res = toPage(rows, params.limit, (last) => encodeHybridCursor({ score: last.score, kind: last.kind, id: last.id }));
  return { items: res.items.map((r) => toHit({ ...r, rank: r.score })), nextCursor: res.nextCursor };
}

// Exact nearest neighbours among my rows of this model and dimension (no ANN index: one person's rows).
async function vectorRanking(db: Database, params: SearchParams & { model: string; embedding: number[] }): Promise<Ranked[]> {
  const kinds = params.kinds ?? ["memory", "message"];
  const query = sql`${JSON.stringify(params.embedding)}::vector`;
  const branches: SQL[] = kinds.map((kind) => {
    const t = tables[kind];
    return sql`select * from (select ${kind}::text as kind, s.id, e.embedding <=> ${query} as distance
      from ${t.embeddings} e join ${t.source} s on s.id = e.${t.key} join companions on companions.id = s.companion_id and ${companionVisibleTo(params.userId)}
      where e.user_id = ${params.userId} and s.user_id = ${params.userId} and e.model = ${params.model} and vector_dims(e.embedding) = ${params.embedding.length}
        ${params.companionId ? sql`and s.companion_id = ${params.companionId}` : sql``}
        ${kind === "message" ? sql`and s.hidden_at is null` : sql``}
      order by distance, s.id limit ${HYBRID_CANDIDATES}) ${sql.raw(`${kind}_nearest`)}`;
  });
  const rows = rowsOf(await db.execute(sql`select kind, id from (${sql.join(branches, sql` union all `)}) v order by distance, kind desc, id desc limit ${HYBRID_CANDIDATES}`));
  return rows as Ranked[];
}

interface Detail {
  kind: SearchKind;
  id: string;
  companionId: string;
  role: "user" | "assistant" | null;
  createdAt: string;
  headline: string;
}

// The page's rows with their snippets: one batch per kind. A hit found by its vector alone
// gets the text's start and no highlights.
async function hitDetails(db: Database, params: SearchParams, page: Ranked[]): Promise<Map<string, Detail>> {
  const ids = (kind: SearchKind) => page.filter((e) => e.kind === kind).map((e) => e.id);
  const headline = (doc: SQL) => sql`ts_headline(${SEARCH_CONFIG}, ${stripMarkers(doc)}, ${tsquery(params.q)}, ${HEADLINE_OPTIONS}) as headline`;
  const branches: SQL[] = [];
  if (ids("message").length > 0) {
    branches.push(sql`select 'message' as kind, id, companion_id as "companionId", role::text as role, ${isoText("created_at")} as "createdAt", ${headline(sql`content`)}
      from messages where user_id = ${params.userId} and id = any(${sql.param(ids("message"))}::uuid[])`);
  }
  if (ids("memory").length > 0) {
    branches.push(sql`select 'memory' as kind, id, companion_id as "companionId", null as role, ${isoText("created_at")} as "createdAt",
        ${headline(sql`case when title = '' then content else title || ': ' || content end`)}
      from memories where user_id = ${params.userId} and id = any(${sql.param(ids("memory"))}::uuid[])`);
  }
  if (branches.length === 0) return new Map();
  const rows = rowsOf(await db.execute(sql.join(branches, sql` union all `))) as Detail[];
  return new Map(rows.map((r) => [`${r.kind}:${r.id}`, r]));
}

/** A user message and the replies to it: what one chat exchange saved. */
export async function exchangeMessageIds(db: Database, params: { userId: string; messageId: string }): Promise<string[]> {
  const rows = rowsOf(
    await db.execute(sql`select id from messages where user_id = ${params.userId} and (id = ${params.messageId} or reply_to_id = ${params.messageId}) order by id`),
  ) as { id: string }[];
  return rows.map((r) => r.id);
}
