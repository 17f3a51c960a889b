import { z } from "zod";
import { cursor, isoDateTime, pageLimit, text, uuid } from "./common.ts";

const SEARCH_QUERY_MAX = 200;

const searchKind = z.enum(["memory", "message"]);

const searchHit = z.object({
  kind: searchKind,
  id: uuid,
  companionId: uuid,
  /** Plain text around the matches (never markup); render `highlights` over it. */
  snippet: z.string(),
  /** The matched words: UTF-16 offsets [start, end) into `snippet`. */
  highlights: z.array(z.object({ start: z.number().int().min(0), end: z.number().int().min(0) })),
  /** Higher is better; only comparable within one search. */
  rank: z.number(),
  createdAt: isoDateTime,
  /** Set for messages, null for memories. */
  role: z.enum(["user", "assistant"]).nullable(),
});
export type SearchHit = z.infer<typeof searchHit>;

/**
 * `q` in web search syntax: words, "a phrase", -excluded, or. Without `kinds`: memories and
 * messages. The cursor is opaque and belongs to the same `q` and filters.
 */
export const searchQueryInput = z.object({
  q: text().trim().min(1).max(SEARCH_QUERY_MAX),
  companionId: uuid.optional(),
  kinds: z.array(searchKind).min(1).max(2).optional(),
  cursor: cursor.optional(),
  limit: pageLimit,
});
export type SearchQueryInput = z.infer<typeof searchQueryInput>;

/** `mode` says what ranked the hits: full-text only, or full-text fused with embeddings (docs/search.md). */
export const searchQueryOutput = z.object({
  items: z.array(searchHit),
  nextCursor: z.string().nullable(),
  mode: z.enum(["fulltext", "hybrid"]),
});
