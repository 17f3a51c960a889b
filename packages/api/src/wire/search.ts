import type { SearchHit as DbSearchHit } from "@companion/db";
import type { SearchHit } from "@companion/validators";

export const toWireSearchHit = (h: DbSearchHit): SearchHit => ({
  kind: h.kind,
  id: h.id,
  companionId: h.companionId,
  snippet: h.snippet,
  highlights: h.highlights.map((r) => ({ start: r.start, end: r.end })),
  rank: h.rank,
  createdAt: h.createdAt.toISOString(),
  role: h.role,
});
