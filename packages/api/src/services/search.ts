import type { Embedder } from "@companion/ai";
import { searchEmbeddingTablesExist, searchFullText, searchHybrid, withUser, type Database, type SearchHit } from "@companion/db";
import type { SearchQueryInput } from "@companion/validators";
import type { ServiceLogger } from "./background.ts";

/** How long a search waits for its query's embedding before answering full-text only. */
const QUERY_EMBED_TIMEOUT_MS = 2_000;
// The 'simple' parser makes words of letters and digits only: without one, no word to find.
const HAS_WORD = /[\p{L}\p{N}]/u;

interface SearchResult {
  items: SearchHit[];
  nextCursor: string | null;
  mode: "fulltext" | "hybrid";
}

export interface SearchService {
  /** Set when hybrid search is on: a model is configured AND the embedding tables exist. */
  readonly embedder: Embedder | null;
  /** My memories and messages; the query's embedding is fetched before the user scope opens. */
  query(userId: string, input: SearchQueryInput): Promise<SearchResult>;
}

/**
 * Search over the database `db`: hybrid when `embedder` is given and the migration could make
 * the embedding tables (the vector extension), else full-text; docs/search.md.
 */
export async function createSearchService(deps: { db: Database; embedder: Embedder | null; log: ServiceLogger }): Promise<SearchService> {
  const embedder = deps.embedder && (await searchEmbeddingTablesExist(deps.db)) ? deps.embedder : null;
  if (deps.embedder && !embedder) deps.log.warn({ model: deps.embedder.model }, "search: an embedding model is set but the vector extension is missing; full-text only");
  return {
    embedder,
    async query(userId, input) {
      if (!HAS_WORD.test(input.q)) return { items: [], nextCursor: null, mode: embedder ? "hybrid" : "fulltext" };
      const params = { userId, ...input };
      let embedding: number[] | undefined;
      if (embedder) {
        try {
          [embedding] = await embedder.embed([input.q], { timeoutMs: QUERY_EMBED_TIMEOUT_MS });
        } catch (err) {
          // The model is down or slow: words still find things. The call is recorded as failed.
          deps.log.warn({ err }, "search: query embedding failed; answering full-text");
        }
      }
      // A cursor belongs to the mode that made it: the other's fails to decode (INVALID_CURSOR).
      return withUser(deps.db, userId, async (tx) =>
        embedding && embedder
          ? { ...(await searchHybrid(tx, { ...params, model: embedder.model, embedding })), mode: "hybrid" as const }
          : { ...(await searchFullText(tx, params)), mode: "fulltext" as const },
      );
    },
  };
}
