/** Search embeddings (docs/search.md, "Hybrid"): written here, outside any request. */
import { insertAiCalls, textsToEmbed, upsertEmbeddings } from "@companion/db";
import type { AiCallPayload, JobHandlers } from "@companion/jobs";
import type { JobDeps } from "./deps.ts";

// Models cap their input (OpenAI: 8192 tokens); a memory or message is far shorter than this.
const EMBED_TEXT_MAX = 8_000;

const toRows = (calls: readonly AiCallPayload[]) => calls.map(({ at, ...call }) => ({ ...call, at: new Date(at) }));

export function searchHandlers({ db, chat, search }: JobDeps): JobHandlers {
  return {
    /** Embeds the rows as they are now and upserts their vectors; rows deleted meanwhile are skipped. */
    "search.embed": async ({ kind, ids }) => {
      const embedder = search?.embedder;
      // Hybrid search was turned off since the job was enqueued: nothing to keep up to date.
      if (!embedder) return { embedded: 0, disabled: 1 };
      const rows = await textsToEmbed(db, { kind, ids });
      if (rows.length === 0) return { embedded: 0 };
      const userId = rows[0]?.userId ?? "";
      const scope = chat.calls.scope(userId);
      const vectors = await embedder.embed(rows.map((r) => r.text.slice(0, EMBED_TEXT_MAX)), { tag: scope });
      await upsertEmbeddings(db, { kind, model: embedder.model, rows: rows.map((r, i) => ({ id: r.id, userId: r.userId, embedding: vectors[i] ?? [] })) });
      await insertAiCalls(db, toRows(scope.calls));
      return { embedded: rows.length };
    },
  };
}
