/**
 * The chat service: one exchange is user message → prompt → model (through the process's
 * fallback chain) → reply, with the user's message saved first and the reply saved once
 * per idempotency key. Relationship updates and call accounting run in the background.
 * docs/ai.md describes the behaviour; this file is the orchestration only.
 */
import { createChatChain, createOfflinePersona, type ChatChain, type ChainStreamEvent } from "@companion/ai";
import { saveReply, withUser, type ChatMessageStatus, type Database, type StoredChatMessage } from "@companion/db";
import {
  consoleLogger,
  createAiCallRecorder,
  createBackgroundTasks,
  type AiCallRecorder,
  type BackgroundTasks,
  type ServiceLogger,
} from "./background.ts";
import { awaitReply } from "./chat-replay.ts";
import { openExchange, promptForSaved, type ReadyExchange } from "./chat-open.ts";
import { DEFAULT_CHAT_BUDGET, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";
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

  const openDeps = { db, budget, now, tasks };

  async function finish(userId: string, userMessage: StoredChatMessage, draft: ReplyDraft): Promise<Exchange> {
    const { reply, created } = await withUser(db, userId, (tx) =>
      saveReply(tx, { userId, companionId: userMessage.companionId, replyToId: userMessage.id, ...draft }),
    );
    // Only the call whose reply was saved moves the relationship, so a takeover race counts once.
    if (created) afterExchange(userId, userMessage);
    return { userMessage, reply };
  }

  function afterExchange(userId: string, userMessage: StoredChatMessage): void {
    const scope = calls.scope(userId);
    const update = (async () => {
      const { score } = await classifyUserMessage(sentiment, chain, userMessage.content, scope);
      await tasks.withDbSlot(() =>
        applyExchangeSentiment(db, {
          userId,
          companionId: userMessage.companionId,
          messageId: userMessage.id,
          at: userMessage.createdAt,
          sentiment: score,
        }),
      );
    })();
    tasks.track("relationship update after exchange", update);
  }

  /**
   * A reply without streaming: the send path and the orphan takeover. No client signal: a
   * client that leaves a send still finds the reply on its retry. `gate` is set when the
   * user's message is still committing (see openExchange).
   */
  async function answer(userId: string, userMessage: StoredChatMessage, prompt: ExchangePrompt, gate?: Pick<ReadyExchange, "committed" | "signal">): Promise<Exchange> {
    const request = { messages: prompt.messages, maxTokens: prompt.maxTokens, persona: prompt.persona, ...(gate ? { signal: gate.signal } : {}) };
    const result = await chain.complete({ ...request, tag: calls.scope(userId) });
    await gate?.committed;
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
        const prompt = await withUser(db, userId, (tx) => promptForSaved(tx, openDeps, userId, userMessage));
        return answer(userId, userMessage, prompt);
      },
    });
  }

  /**
   * Runs the model stream into `queue`, then saves the reply (partial if `signal` aborted)
   * and ends with `done`. `signal` is the client's, joined with the exchange's own.
   */
  async function pump(userId: string, ready: ReadyExchange, queue: EventQueue<ChatStreamEvent>, signal: AbortSignal) {
    const { userMessage, prompt } = ready;
    const scope = calls.scope(userId);
    let draft: ReplyDraft | undefined;
    const request = { messages: prompt.messages, maxTokens: prompt.maxTokens, persona: prompt.persona, tag: scope };
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
    await ready.committed;
    queue.push({ type: "done", ...(await finish(userId, userMessage, draft)) });
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
      const opened = await openExchange(openDeps, params, (ready) => answer(params.userId, ready.userMessage, ready.prompt, ready));
      if (opened.kind === "new") return opened.started;
      const exchange = await replay(params.userId, opened.userMessage);
      if (!exchange) throw new Error("reply wait ended without an abort signal");
      return exchange;
    },

    async stream(params, signal) {
      const queue = createEventQueue<ChatStreamEvent>();
      const opened = await openExchange(openDeps, params, (ready) =>
        pump(params.userId, ready, queue, signal ? AbortSignal.any([signal, ready.signal]) : ready.signal),
      );
      // Detached from the consumer: the save must happen even when nobody reads any more.
      const producer = opened.kind === "new" ? opened.started : pumpReplay(params.userId, opened.userMessage, queue, signal);
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
