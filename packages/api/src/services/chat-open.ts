/**
 * The database steps of an exchange, each one user-scoped transaction that hands its value
 * back before it commits (`committed` settles with the transaction), so the model call can
 * start while the commit travels: the time-to-first-token overlap of bench/ttft.ts.
 */
import {
  claimUserMessage,
  findReply,
  getQuotaUsage,
  listRecentTurns,
  loadChatPersona,
  loadPromptMemories,
  loadPromptStory,
  loadPromptSummary,
  takeExchange,
  withUser,
  type Database,
  type QuotaLimits,
  type StoredChatMessage,
} from "@companion/db";
import type { ChainStreamEvent } from "@companion/ai";
import { PROMPT_ROW_LIMITS, buildExchangePrompt, memorySearchQuery, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";
import { chatDegraded } from "./quota.ts";

export interface Exchange {
  userMessage: StoredChatMessage;
  reply: StoredChatMessage;
}

/** A `fallback` may also be the safety check's (reason "safety", docs/safety.md), not only a provider's. */
export type ChatStreamEvent =
  | Extract<ChainStreamEvent, { type: "token" }>
  | { type: "fallback"; from: string; to: string; reason: string; discardPartial: boolean }
  | ({ type: "done" } & Exchange);

export interface OpenDeps {
  db: Database;
  budget: ChatBudget;
  now: () => Date;
  /** The deployment's daily limits (docs/quotas.md); each exchange reads its person's usage with its context. */
  quotas: QuotaLimits;
}

/** Today's usage of the person, counting the message just saved (issued after it, in the same transaction). */
const quotaParams = (deps: OpenDeps, userId: string) => ({ userId, now: deps.now(), defaults: deps.quotas });

export interface ExchangeParams {
  userId: string;
  companionId: string;
  content: string;
  idempotencyKey: string;
  /** The companion's story this message answers (stories.reply); part of what the key stands for. */
  storyId?: string | undefined;
  /** The safety check's category when it flagged the message (chat-safety.ts); stored with it. */
  flagged?: string | null | undefined;
}

/** A value from a transaction that may still be committing; await `committed` before relying on its writes. */
type BeforeCommit<T> = T & { committed: Promise<void> };

/** `fn`'s value as soon as it has it; the transaction's outcome follows in `committed`. */
async function beforeCommit<T extends object>(db: Database, userId: string, fn: (tx: Database) => Promise<T>): Promise<BeforeCommit<T>> {
  let resolveValue!: (value: T) => void;
  const value = new Promise<T>((resolve) => (resolveValue = resolve));
  const committed = withUser(db, userId, async (tx) => resolveValue(await fn(tx)));
  // Nobody may be waiting on it when the transaction fails before the value existed.
  committed.catch(() => undefined);
  return { ...(await Promise.race([value, committed.then(() => value)])), committed };
}

/** In the order checked: the first failure by position, not by time, is the one thrown. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

const memoryParams = (userId: string, companionId: string, content: string) => ({
  userId,
  companionId,
  searchQuery: memorySearchQuery(content),
  pinnedLimit: PROMPT_ROW_LIMITS.pinnedMemories,
  relevantLimit: PROMPT_ROW_LIMITS.relevantMemories,
});

export type OpenedExchange = BeforeCommit<{ kind: "new"; userMessage: StoredChatMessage; prompt: ExchangePrompt } | { kind: "existing"; userMessage: StoredChatMessage }>;

/**
 * messages.send and messages.start: connected? (NOT_FOUND / NOT_CONNECTED) → claim the key for `owner` (CONFLICT, or
 * `existing` for a retry) → prompt context. The five queries leave together (postgres.js
 * pipelines them) and all settle inside the transaction, so a failed check rolls the claim back.
 */
export function openExchange(deps: OpenDeps, params: ExchangeParams & { owner: string }): Promise<OpenedExchange> {
  const { userId, companionId, content } = params;
  return beforeCommit(deps.db, userId, async (tx) => {
    const [persona, claim, memories, summary, recent, usage] = await Promise.allSettled([
      loadChatPersona(tx, params),
      claimUserMessage(tx, { ...params, ownerProcess: params.owner }),
      loadPromptMemories(tx, memoryParams(userId, companionId, content)),
      loadPromptSummary(tx, { userId, companionId }),
      // One extra row: the message just claimed may be among them (issued after the insert).
      listRecentTurns(tx, { userId, companionId, limit: PROMPT_ROW_LIMITS.recentTurns + 1 }),
      getQuotaUsage(tx, quotaParams(deps, userId)),
    ]);
    settledValue(persona);
    const { message: userMessage, created } = settledValue(claim);
    if (!created) return { kind: "existing" as const, userMessage };
    const turns = settledValue(recent)
      .filter((turn) => turn.id !== userMessage.id)
      .slice(-PROMPT_ROW_LIMITS.recentTurns);
    const story = params.storyId === undefined ? null : await loadPromptStory(tx, { storyId: params.storyId });
    const context = { persona: settledValue(persona), memories: settledValue(memories), summary: settledValue(summary), recent: turns, story };
    const prompt = { ...buildExchangePrompt(context, content, deps.budget, deps.now()), degraded: chatDegraded(settledValue(usage)) };
    return { kind: "new" as const, userMessage, prompt };
  });
}

export type TurnToAnswer = BeforeCommit<
  | { kind: "answered"; exchange: Exchange }
  | { kind: "taken"; userMessage: StoredChatMessage; prompt: ExchangePrompt }
  | { kind: "busy"; userMessage: StoredChatMessage }
>;

/**
 * For a saved message: its reply if there is one; else the message is `taken` for `owner`
 * (nobody answers it, or its answering process is gone, see takeExchange) with its
 * prompt; else another live process is answering it (`busy`). NOT_FOUND if it is not mine.
 */
export function takeTurn(deps: OpenDeps, params: { userId: string; messageId: string; owner: string; staleAfterMs: number }): Promise<TurnToAnswer> {
  const { userId, messageId } = params;
  return beforeCommit(deps.db, userId, async (tx) => {
    const taken = await takeExchange(tx, params);
    if (!taken) {
      const { reply, message } = await findReply(tx, { userId, messageId });
      return reply ? { kind: "answered" as const, exchange: { userMessage: message, reply } } : { kind: "busy" as const, userMessage: message };
    }
    const { companionId, content } = taken;
    const [persona, memories, summary, recent, story, usage] = await Promise.all([
      loadChatPersona(tx, { userId, companionId }),
      loadPromptMemories(tx, memoryParams(userId, companionId, content)),
      loadPromptSummary(tx, { userId, companionId }),
      listRecentTurns(tx, { userId, companionId, excludeId: messageId, limit: PROMPT_ROW_LIMITS.recentTurns }),
      taken.storyId === null ? null : loadPromptStory(tx, { storyId: taken.storyId }),
      getQuotaUsage(tx, quotaParams(deps, userId)),
    ]);
    const prompt = { ...buildExchangePrompt({ persona, memories, summary, recent, story }, content, deps.budget, deps.now()), degraded: chatDegraded(usage) };
    return { kind: "taken" as const, userMessage: taken, prompt };
  });
}
