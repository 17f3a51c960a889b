import { classifySentimentWithModel, lexiconSentiment, type ChatChain, type ChatProvider, type SentimentResult } from "@companion/ai";
import { DomainError, recordInteraction, setMessageSentiment, withUser, type Database } from "@companion/db";

export type SentimentSource = "model" | "lexicon";

/**
 * The chain seen as one provider, so the sentiment classifier goes through the same
 * breakers, retries and fallback providers as chat (and is recorded by the chain as
 * purpose "sentiment"). It has no offline answer: a failure throws and the classifier
 * falls back to the lexicon.
 */
function chainAsSentimentProvider(chain: ChatChain, tag?: unknown): ChatProvider {
  return {
    name: "chain",
    model: "chain",
    timeoutMs: 0,
    maxRetries: 0,
    async complete(request) {
      const { timeoutMs: _timeout, idleTimeoutMs: _idle, ...rest } = request;
      const result = await chain.complete({ ...rest, purpose: "sentiment", ...(tag === undefined ? {} : { tag }) });
      return { text: result.text, ...result.usage };
    },
    stream() {
      throw new Error("the sentiment classifier does not stream");
    },
  };
}

/** Model classification when a network provider is configured, the lexicon otherwise. */
export async function classifyUserMessage(source: SentimentSource, chain: ChatChain, text: string, tag?: unknown): Promise<SentimentResult> {
  if (source === "lexicon") return { score: lexiconSentiment(text), source: "lexicon" };
  return classifySentimentWithModel(chainAsSentimentProvider(chain, tag), text);
}

/**
 * After an exchange: stores the user message's sentiment and moves the relationship
 * (packages/db relationship model) by it, in one user-scoped transaction, once per message:
 * a second run (the after-reply job run again) finds the sentiment stored and changes nothing.
 * Returns whether it moved the relationship. A user who disconnected from the companion
 * meanwhile has no relationship left to move.
 */
export async function applyExchangeSentiment(
  db: Database,
  params: { userId: string; companionId: string; messageId: string; at: Date; sentiment: number },
): Promise<boolean> {
  try {
    return await withUser(db, params.userId, async (tx) => {
      if (!(await setMessageSentiment(tx, { userId: params.userId, messageId: params.messageId, sentiment: params.sentiment }))) return false;
      await recordInteraction(tx, {
        userId: params.userId,
        companionId: params.companionId,
        kind: "message",
        sentiment: params.sentiment,
        at: params.at,
      });
      return true;
    });
  } catch (err) {
    if (err instanceof DomainError && err.code === "NOT_FOUND") return false;
    throw err;
  }
}
