/**
 * The chat service: an exchange is my message → prompt → model (the process's fallback
 * chain) → reply, saved once per idempotency key. docs/ai.md describes the behaviour;
 * each method below reads as its steps.
 */
import { createChatChain, createOfflinePersona, type ChatChain } from "@companion/ai";
import { saveReply, withUser, type ChatMessageStatus, type Database, type StoredChatMessage } from "@companion/db";
import { DomainError } from "@companion/errors";
import {
  consoleLogger,
  createAiCallRecorder,
  createBackgroundTasks,
  type AiCallRecorder,
  type BackgroundTasks,
  type CallScope,
  type ServiceLogger,
} from "./background.ts";
import { openExchange, takeTurn, type ChatStreamEvent, type Exchange, type ExchangeParams, type OpenDeps } from "./chat-open.ts";
import { DEFAULT_CHAT_BUDGET, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";
import { createChatRelay, type RelayBus } from "./chat-relay.ts";
import { waitForTurn } from "./chat-replay.ts";
import { applyExchangeSentiment, classifyUserMessage, type SentimentSource } from "./chat-sentiment.ts";
import { createReplyRelay, type ReplyRelay } from "./reply-relay.ts";

/** Content already trimmed and length-checked by the wire schema. */
type SendMessageParams = ExchangeParams;

export interface ChatService {
  /** Saves my message, answers it (never silent: the offline persona is the last resort), returns both. */
  send(params: SendMessageParams): Promise<Exchange>;
  /** Saves my message (NOT_FOUND / CONFLICT as for send); its reply comes from `stream`. */
  start(params: SendMessageParams): Promise<StoredChatMessage>;
  /**
   * The reply to a saved message as it is written: `token`s and `fallback`s, then `done`
   * with both messages. Resolves (or rejects with NOT_FOUND) before the first event.
   * When every subscriber has left, the model call stops and what arrived is saved as `partial`.
   */
  stream(params: { userId: string; messageId: string }, signal?: AbortSignal): Promise<AsyncIterable<ChatStreamEvent>>;
  /** The end of a shutdown's grace: replies being written are cut (saved `partial`, streams end with `done`). */
  interrupt(): void;
  /** Waits for background work (call records, relationship updates, late saves). */
  drain(): Promise<void>;
}

export interface ChatServiceOptions {
  db: Database;
  /** This process's lease id (process-lease.ts), recorded on the exchanges it answers. */
  owner: string;
  /** One per process (its breakers remember failures); defaults to offline-only. */
  chain?: ChatChain;
  /** The recorder whose `onCall` the chain was built with; attributes calls to users. */
  calls?: AiCallRecorder;
  tasks?: BackgroundTasks;
  /** "model" when a network provider is configured. */
  sentiment?: SentimentSource;
  budget?: ChatBudget;
  /** A message unanswered this long is answered by a retry even if its owner still looks alive. */
  staleAfterMs?: number;
  /**
   * What a `send` may spend on the model, waiting for another process included (the chain's
   * deadline, derived from the request timeout): a retry that waited gets what is left.
   */
  replyDeadlineMs?: number;
  /** NOTIFY between server processes, so a reply streams to a subscriber on another one (chat-relay.ts). */
  relayBus?: RelayBus;
  log?: ServiceLogger;
  now?: () => Date;
}

/** How long a finished reply's events stay replayable in this process. */
const FINISHED_RELAY_TTL_MS = 30_000;

type ReplyDraft = { content: string; status: ChatMessageStatus; provider: string | null; model: string | null };

export function createChatService(options: ChatServiceOptions): ChatService {
  const { db, owner } = options;
  const log = options.log ?? consoleLogger;
  const tasks = options.tasks ?? createBackgroundTasks(log);
  const calls = options.calls ?? createAiCallRecorder({ db, tasks, log });
  const chain = options.chain ?? createChatChain({ providers: [], offline: createOfflinePersona(), onCall: calls.onCall });
  const sentiment = options.sentiment ?? "lexicon";
  const staleAfterMs = options.staleAfterMs ?? 90_000;
  const deps: OpenDeps = { db, budget: options.budget ?? DEFAULT_CHAT_BUDGET, now: options.now ?? (() => new Date()) };
  const interruption = new AbortController();
  /** Replies this process streams, by message: a second subscriber joins the first. `writer`: written here. */
  const streaming = new Map<string, { userId: string; relay: ReplyRelay<ChatStreamEvent>; writer: boolean }>();
  const relays =
    options.relayBus &&
    createChatRelay({
      bus: options.relayBus,
      process: owner,
      writing: (messageId) => {
        const entry = streaming.get(messageId);
        return entry?.writer ? entry.relay : undefined;
      },
      onError: (err) => log.error({ err }, "chat relay"),
    });

  const request = (prompt: ExchangePrompt, tag: CallScope) => ({ messages: prompt.messages, maxTokens: prompt.maxTokens, persona: prompt.persona, tag });

  /** Saves the reply once; only the call whose reply was saved moves the relationship. */
  async function finish(userId: string, userMessage: StoredChatMessage, draft: ReplyDraft): Promise<Exchange> {
    const { reply, created } = await withUser(db, userId, (tx) =>
      saveReply(tx, { userId, companionId: userMessage.companionId, replyToId: userMessage.id, ...draft }),
    );
    if (created) afterExchange(userId, userMessage);
    return { userMessage, reply };
  }

  function afterExchange(userId: string, userMessage: StoredChatMessage): void {
    const update = (async () => {
      const { score } = await classifyUserMessage(sentiment, chain, userMessage.content, calls.scope(userId));
      await tasks.withDbSlot(() =>
        applyExchangeSentiment(db, { userId, companionId: userMessage.companionId, messageId: userMessage.id, at: userMessage.createdAt, sentiment: score }),
      );
    })();
    tasks.track("relationship update after exchange", update);
  }

  /** A whole reply at once; `signal` aborts it if the user's message never commits. */
  async function complete(userId: string, prompt: ExchangePrompt, limits: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<ReplyDraft> {
    const result = await chain.complete({ ...request(prompt, calls.scope(userId)), ...limits });
    return { content: result.text, status: "complete", provider: result.provider, model: result.model };
  }

  /** Streams a reply into `relay`; an abort keeps what was shown, attributed to the attempt that wrote it. */
  async function write(userId: string, prompt: ExchangePrompt, relay: ReplyRelay<ChatStreamEvent>, signal: AbortSignal): Promise<ReplyDraft> {
    const scope = calls.scope(userId);
    for await (const event of chain.stream(request(prompt, scope), signal)) {
      if (event.type === "token" || event.type === "fallback") relay.push(event);
      else if (event.type === "done") return { content: event.text, status: "complete", provider: event.provider, model: event.model };
      else {
        const last = scope.lastChatCall;
        return { content: event.text, status: event.text === "" ? "failed" : "partial", provider: last?.provider ?? null, model: last?.model ?? null };
      }
    }
    throw new Error("chat stream ended without done or aborted");
  }

  /**
   * The reply to a saved message, into `relay`: found saved, or relayed from the process
   * writing it, or written here (nobody writes it, or its writer died).
   */
  async function produce(userId: string, messageId: string, relay: ReplyRelay<ChatStreamEvent>, ready: () => void): Promise<void> {
    const stop = AbortSignal.any([relay.abandoned, interruption.signal]);
    const params = { userId, messageId, owner, staleAfterMs };
    const first = await takeTurn(deps, params);
    ready();
    const watch = first.kind === "busy" ? await relays?.watch(messageId, relay) : undefined;
    try {
      const turn = first.kind === "busy" ? await waitForTurn(deps, params, stop, watch?.done, true) : first;
      if (!turn) return; // interrupted while another process was writing: a clean end, the client retries
      if (turn.kind === "answered") {
        if (!watch?.relayed) relay.push({ type: "token", text: turn.exchange.reply.content });
        relay.push({ type: "done", ...turn.exchange });
        return;
      }
      // Taken over from a writer that died: what it relayed is void, the reply restarts here.
      if (watch?.relayed) relay.push({ type: "fallback", from: "relay", to: chain.providers[0] ?? "offline", reason: "error", discardPartial: true });
      const draft = await write(userId, turn.prompt, relay, stop);
      await turn.committed;
      relay.push({ type: "done", ...(await finish(userId, turn.userMessage, draft)) });
    } finally {
      watch?.stop();
    }
  }

  /** Runs `produce` into a relay registered for the message, detached from its subscribers. */
  function runRelay(
    userId: string,
    messageId: string,
    writer: boolean,
    produce: (relay: ReplyRelay<ChatStreamEvent>) => Promise<void>,
  ): { relay: ReplyRelay<ChatStreamEvent>; produced: Promise<void> } {
    const relay = createReplyRelay<ChatStreamEvent>();
    const entry = { userId, relay, writer };
    // Another user's subscription to this id is refused (NOT_FOUND) without displacing the owner's.
    if (!streaming.has(messageId)) streaming.set(messageId, entry);
    // Kept a little after the end: a subscriber that arrives once a quick reply is written
    // (messages.start writes at once) still gets it token by token.
    const forget = () => setTimeout(() => streaming.get(messageId) === entry && streaming.delete(messageId), FINISHED_RELAY_TTL_MS).unref();
    const produced = produce(relay).finally(forget);
    // The save must happen even when nobody reads any more. A refusal before the first
    // event (NOT_FOUND) is the subscriber's error, not a failed task.
    tasks.track(
      "stream a reply",
      produced.then(
        () => relay.end(),
        (err: unknown) => {
          relay.fail(err);
          if (!(err instanceof DomainError)) throw err;
        },
      ),
    );
    return { relay, produced };
  }

  /** The relay of this message's reply in this process, or a new one that finds, relays or writes it. */
  function relayFor(userId: string, messageId: string): { relay: ReplyRelay<ChatStreamEvent>; ready: Promise<void> } {
    const running = streaming.get(messageId);
    if (running?.userId === userId) return { relay: running.relay, ready: Promise.resolve() };
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const { relay, produced } = runRelay(userId, messageId, false, (r) => produce(userId, messageId, r, markReady));
    return { relay, ready: Promise.race([ready, produced]) };
  }

  return {
    async send(params) {
      const startedAt = performance.now();
      const opened = await openExchange(deps, { ...params, owner });
      if (opened.kind === "existing") return answerSaved(params.userId, opened.userMessage, startedAt);
      // The model starts while the message commits; a failed commit aborts it.
      const abandon = new AbortController();
      opened.committed.catch((err: unknown) => abandon.abort(err));
      const draft = await complete(params.userId, opened.prompt, { signal: abandon.signal });
      await opened.committed;
      return finish(params.userId, opened.userMessage, draft);
    },

    async start(params) {
      const opened = await openExchange(deps, { ...params, owner });
      if (opened.kind === "existing") return opened.userMessage;
      // Written here at once, while the message commits: the subscription that follows finds
      // it running, its first tokens buffered (the TTFT of bench/ttft.ts). A failed commit aborts it.
      const abandon = new AbortController();
      opened.committed.catch((err: unknown) => abandon.abort(err));
      // Its failure reaches subscribers through the relay and the log through the task.
      runRelay(params.userId, opened.userMessage.id, true, async (relay) => {
        const draft = await write(params.userId, opened.prompt, relay, AbortSignal.any([relay.abandoned, interruption.signal, abandon.signal]));
        await opened.committed;
        relay.push({ type: "done", ...(await finish(params.userId, opened.userMessage, draft)) });
      }).produced.catch(() => undefined);
      await opened.committed;
      return opened.userMessage;
    },

    async stream({ userId, messageId }, signal) {
      const { relay, ready } = relayFor(userId, messageId);
      await ready;
      return relay.subscribe(signal);
    },

    interrupt: () => interruption.abort(),
    drain: () => tasks.drain(),
  };

  /** A retried send: the saved reply, or the one being written elsewhere, or ours to write if its writer is gone. */
  async function answerSaved(userId: string, userMessage: StoredChatMessage, startedAt: number): Promise<Exchange> {
    const turn = await waitForTurn(deps, { userId, messageId: userMessage.id, owner, staleAfterMs });
    if (!turn) throw new Error("waiting for a reply ended without an abort signal");
    if (turn.kind === "answered") return turn.exchange;
    const left = options.replyDeadlineMs === undefined ? undefined : Math.max(1, Math.floor(options.replyDeadlineMs - (performance.now() - startedAt)));
    const draft = await complete(userId, turn.prompt, left === undefined ? {} : { deadlineMs: left });
    await turn.committed;
    return finish(userId, turn.userMessage, draft);
  }
}
