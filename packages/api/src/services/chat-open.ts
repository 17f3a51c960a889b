/**
 * Opening an exchange: the one user-scoped transaction that checks the connection, claims
 * the idempotency key and loads everything the prompt needs — and starts the model call
 * as soon as the prompt exists, while the transaction commits.
 */
import {
  claimUserMessage,
  listRecentTurns,
  loadChatPersona,
  loadPromptMemories,
  withUser,
  type Database,
  type StoredChatMessage,
} from "@companion/db";
import type { BackgroundTasks } from "./background.ts";
import { PROMPT_ROW_LIMITS, buildExchangePrompt, memorySearchQuery, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";

export interface OpenDeps {
  db: Database;
  budget: ChatBudget;
  now: () => Date;
  tasks: BackgroundTasks;
}

export interface ExchangeParams {
  userId: string;
  companionId: string;
  content: string;
  idempotencyKey: string;
}

/** Handed to the model call, which starts before the user's message is committed. */
export interface ReadyExchange {
  userMessage: StoredChatMessage;
  prompt: ExchangePrompt;
  /** Resolves once the user's message is committed; rejects if it never will be. Await it before saving a reply. */
  committed: Promise<void>;
  /** Aborts if the transaction fails after the model call started. */
  signal: AbortSignal;
}

export type OpenedExchange<R> = { kind: "new"; userMessage: StoredChatMessage; started: Promise<R> } | { kind: "existing"; userMessage: StoredChatMessage };

const memoryParams = (userId: string, companionId: string, content: string) => ({
  userId,
  companionId,
  searchQuery: memorySearchQuery(content),
  pinnedLimit: PROMPT_ROW_LIMITS.pinnedMemories,
  relevantLimit: PROMPT_ROW_LIMITS.relevantMemories,
});

/** In the order checked: the first failure by position, not by time, is the one thrown. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

/**
 * connected? (NOT_FOUND) → claim the key (CONFLICT, or `existing` for a retry) → prompt
 * context, in one transaction. The four queries are issued together (postgres.js pipelines
 * them: one round trip instead of four) and all settle before the transaction ends, so a
 * failed check rolls the claim back with it. For a new message `start` runs with the
 * prompt right away, so the commit's round trip overlaps the provider's time to first
 * token; should the commit fail, its signal aborts and `committed` rejects.
 */
export async function openExchange<R>(deps: OpenDeps, params: ExchangeParams, start: (ready: ReadyExchange) => Promise<R>): Promise<OpenedExchange<R>> {
  const { userId, companionId, content } = params;
  const abandon = new AbortController();
  let commit: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  const committed = new Promise<void>((resolve, reject) => (commit = { resolve, reject }));
  // Nobody may be waiting on it when the transaction fails before a model call started.
  committed.catch(() => undefined);
  let started: Promise<R> | undefined;
  try {
    const opened = await withUser(deps.db, userId, async (tx) => {
      const [persona, claim, memories, recent] = await Promise.allSettled([
        loadChatPersona(tx, params),
        claimUserMessage(tx, params),
        loadPromptMemories(tx, memoryParams(userId, companionId, content)),
        // One extra row: the message just claimed may be among them (issued after the insert).
        listRecentTurns(tx, { userId, companionId, limit: PROMPT_ROW_LIMITS.recentTurns + 1 }),
      ]);
      const context = { persona: settledValue(persona), claim: settledValue(claim) };
      const userMessage = context.claim.message;
      if (!context.claim.created) return { kind: "existing" as const, userMessage };
      const turns = settledValue(recent)
        .filter((turn) => turn.id !== userMessage.id)
        .slice(-PROMPT_ROW_LIMITS.recentTurns);
      const prompt = buildExchangePrompt({ persona: context.persona, memories: settledValue(memories), recent: turns }, content, deps.budget, deps.now());
      started = start({ userMessage, prompt, committed, signal: abandon.signal });
      return { kind: "new" as const, userMessage };
    });
    commit?.resolve();
    return opened.kind === "new" && started ? { ...opened, started } : { kind: "existing", userMessage: opened.userMessage };
  } catch (err) {
    abandon.abort(err);
    commit?.reject(err);
    if (started) deps.tasks.track("abandoned model call", started.catch(() => undefined));
    throw err;
  }
}

/** Prompt context for a message saved earlier (the orphan takeover). */
export async function promptForSaved(tx: Database, deps: Pick<OpenDeps, "budget" | "now">, userId: string, userMessage: StoredChatMessage): Promise<ExchangePrompt> {
  const { companionId, content, id } = userMessage;
  const persona = await loadChatPersona(tx, { userId, companionId });
  const [memories, recent] = await Promise.all([
    loadPromptMemories(tx, memoryParams(userId, companionId, content)),
    listRecentTurns(tx, { userId, companionId, excludeId: id, limit: PROMPT_ROW_LIMITS.recentTurns }),
  ]);
  return buildExchangePrompt({ persona, memories, recent }, content, deps.budget, deps.now());
}
