/** Work after a chat reply is saved (enqueued in the reply's transaction), and model call records. */
import { exchangeMessageIds, findMessageForFollowUp, insertAiCalls, markMemoriesUsed, withUser } from "@companion/db";
import type { AiCallPayload, JobHandlers } from "@companion/jobs";
import { applyExchangeSentiment, classifyUserMessage } from "../services/chat-sentiment.ts";
import { needsSummary } from "../services/memory.ts";
import { withinQuota } from "../services/quota.ts";
import type { JobDeps } from "./deps.ts";

const toRows = (calls: readonly AiCallPayload[]) => calls.map(({ at, ...call }) => ({ ...call, at: new Date(at) }));

export function chatHandlers({ db, chat, queue, search }: JobDeps): JobHandlers {
  return {
    /**
     * The relationship and mood move by the user's message (once: a second run finds its sentiment
     * stored), and the exchange's model calls are recorded (once each: they carry their ids). The
     * memories the prompt used are stamped, and the memory jobs enqueued (singletons: a retry adds none).
     */
    "chat.after-reply": async ({ userId, companionId, messageId, calls, memoryIds = [] }) => {
      const message = await withUser(db, userId, (tx) => findMessageForFollowUp(tx, { userId, messageId }));
      if (!message) {
        // Deleted with its conversation or account meanwhile: nothing to update; the calls still happened.
        await insertAiCalls(db, toRows(calls.map((call) => ({ ...call, userId: null }))));
        return { moved: 0, gone: 1 };
      }
      await insertAiCalls(db, toRows(calls));
      // Hybrid search: the exchange's messages get embeddings, off the reply path (docs/search.md).
      if (search?.embedder) {
        const ids = await exchangeMessageIds(db, { userId, messageId });
        await queue.enqueue(db, "search.embed", { kind: "message", ids }, { singletonKey: `search.embed:${messageId}` });
      }
      const used = await withUser(db, userId, async (tx) => {
        const stamped = await markMemoriesUsed(tx, { userId, memoryIds, at: message.createdAt });
        await queue.enqueue(tx, "memory.extract", { userId, companionId, messageId }, { singletonKey: `memory.extract:${messageId}` });
        if (await needsSummary(tx, { userId, companionId })) {
          await queue.enqueue(tx, "memory.summarize", { userId, companionId }, { singletonKey: `memory.summarize:${userId}:${companionId}` });
        }
        return stamped;
      });
      if (message.sentiment !== null) return { moved: 0, calls: calls.length, memoriesUsed: used };
      const scope = chat.calls.scope(userId);
      // Past the person's quota the lexicon classifies, as without a model (docs/quotas.md).
      const source = chat.sentiment === "model" && (await withinQuota(db, chat.quotas, userId)) ? "model" : "lexicon";
      const { score } = await classifyUserMessage(source, chat.chain, message.content, scope);
      const moved = await applyExchangeSentiment(db, { userId, companionId, messageId, at: message.createdAt, sentiment: score });
      // The classifier's own calls, recorded here (they are this job's, not the reply's).
      await insertAiCalls(db, toRows(scope.calls));
      return { moved: moved ? 1 : 0, calls: calls.length + scope.calls.length, memoriesUsed: used };
    },
    "ai-calls.record": async ({ calls }) => {
      await insertAiCalls(db, toRows(calls));
      return { calls: calls.length };
    },
  };
}
