import { sql, type SQL } from "drizzle-orm";
import { decodeSearchCursor, encodeSearchCursor, toPage, type Page, type SearchKind } from "../pagination.ts";
import { isoText, rowsOf } from "../raw-sql.ts";
import type { Database } from "../types.ts";
import { assertCompanionVisible, companionVisibleTo } from "./companions/visibility.ts";

/**
 * The text search configuration, the one of the stored columns memories.search and
 * messages.search: the query must parse words as they were. Changing the language is a
 * migration, not a setting (docs/search.md, "Language").
 */
export const SEARCH_CONFIG = sql.raw("'simple'::regconfig");

/**
 * Each kind ranks only its newest matches, so a word in every message costs this many rankings,
 * not one per match; older matches are not found (docs/search.md, "Candidates").
 */
const SEARCH_CANDIDATES_PER_KIND = 200;

// Private-use characters as headline markers: stripped from the text first, so the markers
// found in the headline are exactly ts_headline's and become ranges, never markup.
const START = "\uE000";
const STOP = "\uE001";
export const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "`;

interface SearchHighlight {
  start: number;
  end: number;
}

export interface SearchHit {
  kind: SearchKind;
  id: string;
  companionId: string;
  /** Plain text around the matches; `highlights` are UTF-16 ranges [start, end) in it. */
  snippet: string;
  highlights: SearchHighlight[];
  rank: number;
  createdAt: Date;
  /** Messages only. */
  role: "user" | "assistant" | null;
}

export interface SearchParams {
  userId: string;
  q: string;
  companionId?: string | undefined;
  kinds?: readonly SearchKind[] | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface RawHit {
  kind: SearchKind;
  id: string;
  companionId: string;
  role: "user" | "assistant" | null;
  rank: number;
  rankText: string;
  createdAt: string;
  headline: string;
}

/**
 * My memories and messages matching `q` (websearch syntax: "a phrase", -word, or), best first,
 * keyset-paged on (rank, kind, id). Only my rows, with companions I can still see; a
 * companionId I cannot see is NOT_FOUND. A query of only punctuation finds nothing.
 */
export async function searchFullText(db: Database, params: SearchParams): Promise<Page<SearchHit>> {
  const after = params.cursor ? decodeSearchCursor(params.cursor) : null;
  const rows = rowsOf(
    await db.execute(sql`
      with hits as (${candidates(params)}),
      page as (
        select kind, id, companion_id, role, rank, created_at, doc from hits
        ${after ? sql`where (rank, kind, id) < (${after.rank}::real, ${after.kind}, ${after.id}::uuid)` : sql``}
        order by rank desc, kind desc, id desc
        limit ${params.limit + 1}
      )
      -- The headline, the costly part, only for the page's rows.
      select kind, id, companion_id as "companionId", role, rank, rank::text as "rankText", ${isoText("created_at")} as "createdAt",
        ts_headline(${SEARCH_CONFIG}, doc, ${tsquery(params.q)}, ${HEADLINE_OPTIONS}) as headline
      from page
      order by rank desc, kind desc, id desc`),
  ) as RawHit[];
  if (rows.length === 0 && params.companionId) await assertCompanionVisible(db, params.userId, params.companionId);
  const page = toPage(rows, params.limit, (last) => encodeSearchCursor({ rank: last.rankText, kind: last.kind, id: last.id }));
  return { items: page.items.map(toHit), nextCursor: page.nextCursor };
}

/** Each asked kind's newest matches, ranked: (kind, id, companion_id, role, created_at, rank, doc). */
export function candidates(params: SearchParams): SQL {
  const kinds = new Set(params.kinds ?? ["memory", "message"]);
  const branches: SQL[] = [];
  if (kinds.has("message")) branches.push(messageCandidates(params));
  if (kinds.has("memory")) branches.push(memoryCandidates(params));
  return sql.join(branches, sql` union all `);
}

// Inline in every clause rather than computed once: the planner then estimates the match
// count from the real query, and the index condition is a plain comparison.
export const tsquery = (q: string): SQL => sql`websearch_to_tsquery(${SEARCH_CONFIG}, ${q})`;

/** My newest messages (or one conversation's), searched first by a bounded walk of an index. */
const RECENT_WINDOW = 1_000;

// Candidates in two steps, so that neither a frequent nor a rare word makes Postgres read all
// of my matches (docs/search.md, "Candidates"): (1) my newest RECENT_WINDOW messages, walked
// through messages_user_created_idx (or the conversation's index) and filtered by the stored
// tsvector: a word in many of my messages stops there; (2) only when that gives fewer than the
// candidate limit, the older rest through the GIN index on (user_id, search), where a rare
// word costs only its few matches. The steps are CTEs so the planner cannot merge them.
function messageCandidates(params: SearchParams): SQL {
  const q = tsquery(params.q);
  // Hidden messages (moderation, docs/moderation.md) are never candidates.
  const mine = sql`m.user_id = ${params.userId} and m.hidden_at is null ${params.companionId ? sql`and m.companion_id = ${params.companionId}` : sql``}`;
  const visible = sql`m.companion_id = any(array(select companions.id from companions where ${companionVisibleTo(params.userId)}))`;
  return sql`select 'message' as kind, c.id, c.companion_id, c.role::text as role, c.created_at,
      ts_rank(c.search, ${q}) as rank, ${stripMarkers(sql`c.content`)} as doc
    from (
      with newest as materialized (
        select m.id, m.companion_id, m.role, m.content, m.search, m.created_at from messages m
        where ${mine}
        order by m.created_at desc, m.id desc
        limit ${RECENT_WINDOW}
      ),
      recent as materialized (
        select m.id, m.companion_id, m.role, m.content, m.search, m.created_at from newest m
        where m.search @@ ${q} and ${visible}
      ),
      -- Where the window ends; no row when I have fewer messages than it holds (nothing older).
      floor as materialized (
        select m.created_at, m.id from newest m order by m.created_at desc, m.id desc offset ${RECENT_WINDOW - 1} limit 1
      ),
      -- Only my id and the tsquery where an index could use them, so the GIN index on
      -- (user_id, search) is the one way in: given a window bound or a companion list too, the
      -- planner walks every older message of mine through a btree instead. Filtered after.
      older as materialized (
        select m.id, m.companion_id, m.role, m.content, m.search, m.created_at
        from messages m
        where (select count(*) from recent) < ${SEARCH_CANDIDATES_PER_KIND} and exists (select 1 from floor)
          and m.user_id = ${params.userId} and m.id = any(array(select my_message_matches(${q}))) and m.hidden_at is null
      )
      select * from recent
      union all
      select m.* from older m, floor
      where (m.created_at, m.id) < (floor.created_at, floor.id) and ${visible}
        ${params.companionId ? sql`and m.companion_id = ${params.companionId}` : sql``}
      order by created_at desc
      limit ${SEARCH_CANDIDATES_PER_KIND}
    ) c`;
}

// Memories are far fewer than messages: the owner's matches, then the newest. The visible
// companions as one array (an InitPlan), not a join the planner may loop over per row.
function memoryCandidates(params: SearchParams): SQL {
  return sql`select 'memory' as kind, c.id, c.companion_id, null as role, c.created_at,
      ts_rank(c.search, ${tsquery(params.q)}) as rank, ${stripMarkers(sql`case when c.title = '' then c.content else c.title || ': ' || c.content end`)} as doc
    from (
      select me.id, me.companion_id, me.title, me.content, me.search, me.created_at
      from memories me
      where me.user_id = ${params.userId} and me.search @@ ${tsquery(params.q)}
        and me.companion_id = any(array(select companions.id from companions where ${companionVisibleTo(params.userId)}))
        ${params.companionId ? sql`and me.companion_id = ${params.companionId}` : sql``}
      order by me.created_at desc
      limit ${SEARCH_CANDIDATES_PER_KIND}
    ) c`;
}

export const stripMarkers = (text: SQL): SQL => sql`translate(${text}, ${START + STOP}, '')`;

export function toHit(r: Omit<RawHit, "rankText">): SearchHit {
  const { snippet, highlights } = parseHeadline(r.headline);
  return {
    kind: r.kind,
    id: r.id,
    companionId: r.companionId,
    snippet,
    highlights,
    rank: Number(r.rank),
    createdAt: new Date(r.createdAt),
    role: r.kind === "message" ? r.role : null,
  };
}

/** ts_headline's text with START/STOP markers → the plain text and the marked ranges. */
function parseHeadline(headline: string): { snippet: string; highlights: SearchHighlight[] } {
  let snippet = "";
  const highlights: SearchHighlight[] = [];
  let open: number | null = null;
  for (const ch of headline) {
    if (ch === START) open = snippet.length;
    else if (ch === STOP) {
      if (open !== null && snippet.length > open) highlights.push({ start: open, end: snippet.length });
      open = null;
    } else snippet += ch;
  }
  return { snippet, highlights };
}
