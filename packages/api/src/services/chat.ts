/**
 * The chat service: one exchange is user message → prompt → model (through the process's
 * fallback chain) → reply, with the user's message saved first and the reply saved once
 * per idempotency key. Relationship updates and call accounting run in the background.
 * docs/ai.md describes the behaviour; this file is the orchestration only.
 */
import { createChatChain, createOfflinePersona, type ChatChain, type ChainStreamEvent } from "@companion/ai";
import {
  claimUserMessage,
  listRecentTurns,
  loadChatPersona,
  loadPromptMemories,
  saveReply,
  withUser,
  type ChatMessageStatus,
  type Database,
  type StoredChatMessage,
} from "@companion/db";
import {
  consoleLogger,
  createAiCallRecorder,
  createBackgroundTasks,
  type AiCallRecorder,
  type BackgroundTasks,
  type ServiceLogger,
} from "./background.ts";
import { awaitReply } from "./chat-replay.ts";
import { DEFAULT_CHAT_BUDGET, PROMPT_ROW_LIMITS, buildExchangePrompt, memorySearchQuery, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";
import { applyExchangeSentiment, classifyUserMessage, type SentimentSource } from "./chat-sentiment.ts";
import { createEventQueue, type EventQueue } from "./event-queue.ts";

export interface SendMessageParams {
  userId: string;
  companionId: string;
  /** Already trimmed and length-checked by the wire schema. */
  content: string;
  idempotencyKey: string;
}

export interface Exchange {
  userMessage: StoredChatMessage;
  reply: StoredChatMessage;
}

export type ChatStreamEvent =
  | Extract<ChainStreamEvent, { type: "token" | "fallback" }>
  | ({ type: "done" } & Exchange);

export interface ChatService {
  /** Saves the message, answers it (never silent: the offline persona is the last resort), returns both. */
  send(params: SendMessageParams): Promise<Exchange>;
  /**
   * Same exchange, streamed. Resolves (or rejects with NOT_FOUND / CONFLICT) once the user
   * message is saved; the events follow. Aborting `signal` aborts the model call and saves
   * what arrived so far as a `partial` reply.
   */
  stream(params: SendMessageParams, signal?: AbortSignal): Promise<AsyncIterable<ChatStreamEvent>>;
  /** Waits for background work (call records, relationship updates, late saves). */
  drain(): Promise<void>;
}

export interface ChatServiceOptions {
  db: Database;
  /** One per process (its breakers remember failures); defaults to offline-only. */
  chain?: ChatChain;
  /** The recorder whose `onCall` the chain was built with; attributes calls to users. */
  calls?: AiCallRecorder;
  tasks?: BackgroundTasks;
  /** "model" when a network provider is configured. */
  sentiment?: SentimentSource;
  budget?: ChatBudget;
  /**
   * A message without a reply this long after it was saved is presumed orphaned (its
   * answering process died) and a retry answers it itself. Must exceed the longest reply.
   */
  staleAfterMs?: number;
  log?: ServiceLogger;
  now?: () => Date;
}

type Opened = { kind: "new"; userMessage: StoredChatMessage; prompt: ExchangePrompt } | { kind: "existing"; userMessage: StoredChatMessage };

/** In the order checked: the first failure (by position, not by time) is the one thrown. */
function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

type ReplyDraft = { content: string; status: ChatMessageStatus; provider: string | null; model: string | null };

export function createChatService(options: ChatServiceOptions): ChatService {
  const { db } = options;
  const log = options.log ?? consoleLogger;
  const tasks = options.tasks ?? createBackgroundTasks(log);
  const calls = options.calls ?? createAiCallRecorder({ db, tasks, log });
  const chain = options.chain ?? createChatChain({ providers: [], offline: createOfflinePersona(), onCall: calls.onCall });
  const sentiment = options.sentiment ?? "lexicon";
  const budget = options.budget ?? DEFAULT_CHAT_BUDGET;
  const staleAfterMs = options.staleAfterMs ?? 90_000;
  const now = options.now ?? (() => new Date());

  const memoryParams = (userId: string, companionId: string, content: string) => ({
    userId,
    companionId,
    searchQuery: memorySearchQuery(content),
    pinnedLimit: PROMPT_ROW_LIMITS.pinnedMemories,
    relevantLimit: PROMPT_ROW_LIMITS.relevantMemories,
  });

  /** Prompt context for a message already saved (the orphan takeover). */
  async function promptFor(tx: Database, userId: string, userMessage: StoredChatMessage): Promise<ExchangePrompt> {
    const { companionId, content, id } = userMessage;
    const persona = await loadChatPersona(tx, { userId, companionId });
    const [memories, recent] = await Promise.all([
      loadPromptMemories(tx, memoryParams(userId, companionId, content)),
      listRecentTurns(tx, { userId, companionId, excludeId: id, limit: PROMPT_ROW_LIMITS.recentTurns }),
    ]);
    return buildExchangePrompt({ persona, memories, recent }, content, budget, now());
  }

  /**
   * One transaction: connected? (NOT_FOUND) → claim the key (CONFLICT) → prompt context.
   * The four queries are issued together (postgres.js pipelines them: one round trip
   * instead of four, straight on the time to first token) and all settle before the
   * transaction ends, so a failed gate rolls the claim back with it.
   */
  function open(params: SendMessageParams): Promise<Opened> {
    const { userId, companionId, content } = params;
    return withUser(db, userId, async (tx) => {
      const [persona, claim, memories, recent] = await Promise.allSettled([
        loadChatPersona(tx, params),
        claimUserMessage(tx, params),
        loadPromptMemories(tx, memoryParams(userId, companionId, content)),
        // One extra row: the message just claimed may be among them (issued after the insert).
        listRecentTurns(tx, { userId, companionId, limit: PROMPT_ROW_LIMITS.recentTurns + 1 }),
      ]);
      const context = { persona: settledValue(persona), claim: settledValue(claim) };
      const userMessage = context.claim.message;
      if (!context.claim.created) return { kind: "existing", userMessage };
      const turns = settledValue(recent)
        .filter((turn) => turn.id !== userMessage.id)
        .slice(-PROMPT_ROW_LIMITS.recentTurns);
      const prompt = buildExchangePrompt({ persona: context.persona, memories: settledValue(memories), recent: turns }, content, budget, now());
      return { kind: "new", userMessage, prompt };
    });
  }

  async function finish(userId: string, userMessage: StoredChatMessage, draft: ReplyDraft): Promise<Exchange> {
    const { reply, created } = await withUser(db, userId, (tx) =>
      saveReply(tx, { userId, companionId: userMessage.companionId, replyToId: userMessage.id, ...draft }),
    );
    // Only the call whose reply was saved moves the relationship, so a takeover race counts once.
    if (created) afterExchange(userId, userMessage);
    return { userMessage, reply };
  }

  function afterExchange(userId: string, userMessage: StoredChatMessage): void {
    const update = calls.runAs(userId, async () => {
      const { score } = await classifyUserMessage(sentiment, chain, userMessage.content);
      await tasks.withDbSlot(() =>
        applyExchangeSentiment(db, {
          userId,
          companionId: userMessage.companionId,
          messageId: userMessage.id,
          at: userMessage.createdAt,
          sentiment: score,
        }),
      );
    });
    tasks.track("relationship update after exchange", update);
  }

  /** A reply without streaming: the send path and the orphan takeover. */
  async function answer(userId: string, userMessage: StoredChatMessage, prompt: ExchangePrompt): Promise<Exchange> {
    // No abort signal: a client that leaves a send still finds the reply on its retry.
    const result = await calls.runAs(userId, () =>
      chain.complete({ messages: prompt.messages, maxTokens: prompt.maxTokens, persona: prompt.persona }),
    );
    return finish(userId, userMessage, { content: result.text, status: "complete", provider: result.provider, model: result.model });
  }

  function replay(userId: string, userMessage: StoredChatMessage, signal?: AbortSignal): Promise<Exchange | null> {
    return awaitReply({
      db,
      userId,
      userMessage,
      staleAfterMs,
      ...(signal ? { signal } : {}),
      takeOver: async () => {
        const prompt = await withUser(db, userId, (tx) => promptFor(tx, userId, userMessage));
        return answer(userId, userMessage, prompt);
      },
    });
  }

  /** Runs the model stream into `queue`, then saves the reply (partial if `signal` aborted) and ends with `done`. */
  async function pump(userId: string, opened: Extract<Opened, { kind: "new" }>, queue: EventQueue<ChatStreamEvent>, signal?: AbortSignal) {
    const { userMessage, prompt } = opened;
    await calls.runAs(userId, async (scope) => {
      let draft: ReplyDraft | undefined;
      const request = { messages: prompt.messages, maxTokens: prompt.maxTokens, persona: prompt.persona };
      for await (const event of chain.stream(request, signal)) {
        if (event.type === "token" || event.type === "fallback") queue.push(event);
        else if (event.type === "done") draft = { content: event.text, status: "complete", provider: event.provider, model: event.model };
        else {
          // The client left: keep what it was shown, attributed to the attempt that produced it.
          const last = scope.lastChatCall;
          draft = { content: event.text, status: event.text === "" ? "failed" : "partial", provider: last?.provider ?? null, model: last?.model ?? null };
        }
      }
      if (!draft) throw new Error("chat stream ended without done or aborted");
      queue.push({ type: "done", ...(await finish(userId, userMessage, draft)) });
    });
  }

  /** A retried stream gets the saved reply whole, as one token, then the usual `done`. */
  async function pumpReplay(userId: string, userMessage: StoredChatMessage, queue: EventQueue<ChatStreamEvent>, signal?: AbortSignal) {
    const exchange = await replay(userId, userMessage, signal);
    if (!exchange) return;
    queue.push({ type: "token", text: exchange.reply.content });
    queue.push({ type: "done", ...exchange });
  }

  return {
    async send(params) {
      const opened = await open(params);
      if (opened.kind === "new") return answer(params.userId, opened.userMessage, opened.prompt);
      const exchange = await replay(params.userId, opened.userMessage);
      if (!exchange) throw new Error("reply wait ended without an abort signal");
      return exchange;
    },

    async stream(params, signal) {
      const opened = await open(params);
      const queue = createEventQueue<ChatStreamEvent>();
      // Detached from the consumer: the save must happen even when nobody reads any more.
      const producer = opened.kind === "new" ? pump(params.userId, opened, queue, signal) : pumpReplay(params.userId, opened.userMessage, queue, signal);
      tasks.track(
        "stream a reply",
        producer.then(
          () => queue.end(),
          (err: unknown) => {
            queue.fail(err);
            throw err;
          },
        ),
      );
      return queue;
    },

    drain: () => tasks.drain(),
  };
}
