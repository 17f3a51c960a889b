/** Automatic memory and rolling summaries (docs/memory.md), off the reply's path. */
import { listAutoMemoriesChangedSince, withUser } from "@companion/db";
import type { JobHandlers } from "@companion/jobs";
import { extractMemories, foldConversation } from "../services/memory.ts";
import type { JobDeps } from "./deps.ts";

export function memoryHandlers({ db, chat, queue, search }: JobDeps): JobHandlers {
  const deps = { db, chain: chat.chain, calls: chat.calls, quotas: chat.quotas };
  return {
    /** Facts from the person's message into auto memories; a second run finds them written and changes nothing. */
    "memory.extract": async (data) => {
      const startedAt = new Date();
      const outcome = await extractMemories(deps, data);
      // Hybrid search: new and changed auto memories get their embeddings too (docs/search.md).
      if (search?.embedder && outcome.added + outcome.updated > 0) {
        const ids = await withUser(db, data.userId, (tx) => listAutoMemoriesChangedSince(tx, { ...data, since: startedAt }));
        if (ids.length > 0) await queue.enqueue(db, "search.embed", { kind: "memory", ids });
      }
      return { added: outcome.added, updated: outcome.updated, ignored: outcome.ignored, offline: outcome.method === "offline" ? 1 : 0 };
    },
    /** The next version of a conversation's summary, once it outgrows the prompt; a second run finds nothing to fold. */
    "memory.summarize": async (data) => {
      const outcome = await foldConversation(deps, data);
      return { folded: outcome.folded, version: outcome.folded > 0 ? outcome.version : undefined };
    },
  };
}
