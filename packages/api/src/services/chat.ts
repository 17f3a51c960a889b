/**
 * The chat service: an exchange is my message → prompt → model (the process's fallback
 * chain) → reply, saved once per idempotency key. docs/ai.md describes the behaviour;
 * each method below reads as its steps.
 */
import { createChatChain, createOfflinePersona, DEFAULT_SAFETY_POLICY, type ChatChain, type MessageVerdict } from "@companion/ai";
import { findReply, saveReply, UNLIMITED_QUOTAS, withUser, type ChatMessageStatus, type Database, type QuotaLimits, type StoredChatMessage } from "@companion/db";
import { DomainError } from "@companion/errors";
import type { JobQueue } from "@companion/jobs";
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
import { guardFor, guardReplyStream, replyGuardFor } from "./chat-guard.ts";
import { createChatSafety, type ChatSafety } from "./chat-safety.ts";
import { DEFAULT_CHAT_BUDGET, type ChatBudget, type ExchangePrompt } from "./chat-prompt.ts";
import { createChatRelay, type RelayBus } from "./chat-relay.ts";
import { waitForTurn } from "./chat-replay.ts";
import { createQuotaChain } from "./quota.ts";
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
  /**
   * The safety check of a message stored by other means than send/start (messages.edit): the
   * category to flag it with (null: none), or SAFETY_REFUSED (recorded) before anything is stored.
   */
  screen(params: { userId: string; content: string }): Promise<string | null>;
  /** The end of a shutdown's grace: replies being written are cut (saved `partial`, streams end with `done`). */
  interrupt(): void;
  /** Waits for background work (late saves of replies whose clients left, call records being enqueued). */
  drain(): Promise<void>;
}

export interface ChatServiceOptions {
  db: Database;
  /** The after-reply job (relationship and mood, ai_calls) is enqueued with each saved reply. */
  jobs: JobQueue;
  /** This process's lease id (process-lease.ts), recorded on the exchanges it answers. */
  owner: string;
  /** One per process (its breakers remember failures); defaults to offline-only. */
  chain?: ChatChain;
  /** The recorder whose `onCall` the chain was built with; attributes calls to users. */
  calls?: AiCallRecorder;
  tasks?: BackgroundTasks;
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
  /** The safety check of messages and replies (chat-safety.ts); defaults to offline with the default policy. */
  safety?: ChatSafety;
  log?: ServiceLogger;
  now?: () => Date;
  /** Daily limits per person (docs/quotas.md); past one, the offline persona answers. Default: unlimited. */
  quotas?: QuotaLimits;
}

/** How long a finished reply's events stay replayable in this process. */
const FINISHED_RELAY_TTL_MS = 30_000;

/** `ended`: its producer finished; the relay stays replayable a while (FINISHED_RELAY_TTL_MS). */
type StreamingEntry = { userId: string; relay: ReplyRelay<ChatStreamEvent>; writer: boolean; ended?: boolean };

type ReplyDraft = { content: string; status: ChatMessageStatus; provider: string | null; model: string | null; flagged: string | null };

export function createChatService(options: ChatServiceOptions): ChatService {
  const { db, owner } = options;
  const log = options.log ?? consoleLogger;
  const tasks = options.tasks ?? createBackgroundTasks(log);
  const { jobs } = options;
  const calls = options.calls ?? createAiCallRecorder({ jobs, tasks, log });
  const chain = options.chain ?? createChatChain({ providers: [], offline: createOfflinePersona(), onCall: calls.onCall });
  const staleAfterMs = options.staleAfterMs ?? 90_000;
  const safety = options.safety ?? createChatSafety({ db, policy: DEFAULT_SAFETY_POLICY, log });
  const deps: OpenDeps = { db, budget: options.budget ?? DEFAULT_CHAT_BUDGET, now: options.now ?? (() => new Date()), quotas: options.quotas ?? UNLIMITED_QUOTAS };
  /** Who answers an exchange: the model chain, or past the person's quota the offline persona alone (prompt.degraded). */
  const quotaChain = createQuotaChain();
  const chainFor = (prompt: ExchangePrompt) => (prompt.degraded === "quota" ? quotaChain : chain);
  const interruption = new AbortController();
  /** Replies this process streams, by message: a second subscriber joins the first. `writer`: written here. */
  const streaming = new Map<string, StreamingEntry>();
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

  /**
   * Saves the reply once and, in the same transaction, enqueues the after-reply job: the
   * relationship and mood update (once per message, however often the job runs) and this
   * exchange's model calls into ai_calls. A reply is never saved without its follow-up.
   */
  async function finish(scope: CallScope, userMessage: StoredChatMessage, draft: ReplyDraft, prompt: ExchangePrompt): Promise<Exchange> {
    const { userId } = scope;
    // The memories the prompt used ride along: the job stamps their last use, off the reply's path.
    const after = { userId, companionId: userMessage.companionId, messageId: userMessage.id, calls: scope.calls.splice(0, 50), memoryIds: prompt.memoryIds };
    // Both leave together (postgres.js pipelines them inside the transaction).
    const [{ reply }] = await withUser(db, userId, (tx) =>
      Promise.all([saveReply(tx, { userId, companionId: userMessage.companionId, replyToId: userMessage.id, ...draft }), jobs.enqueue(tx, "chat.after-reply", after)]),
    );
    return { userMessage, reply };
  }

  /** A whole reply at once; `signal` aborts it if the user's message never commits. */
  async function complete(
    scope: CallScope,
    prompt: ExchangePrompt,
    verdict: MessageVerdict,
    limits: { signal?: AbortSignal; deadlineMs?: number } = {},
  ): Promise<ReplyDraft> {
    // A message showing risk of self-harm is answered by the crisis reply, never by a model (docs/safety.md).
    if (verdict.action === "crisis") return crisisDraft(scope.userId);
    const result = await chainFor(prompt).complete({ ...request(prompt, scope), ...limits });
    // The saved reply is what the person may read of it (docs/anti-leak.md), and what passed the safety check.
    const checked = await safety.checkReply(scope.userId, guardFor(prompt.privacy, scope.userId, result.text));
    return { content: checked.text, status: "complete", provider: result.provider, model: result.model, flagged: checked.flagged };
  }

  async function crisisDraft(userId: string): Promise<ReplyDraft> {
    return { content: await safety.crisisReply(userId), status: "complete", provider: "safety", model: null, flagged: "self_harm" };
  }

  /** Streams a reply into `relay`; an abort keeps what was shown, attributed to the attempt that wrote it. */
  async function write(scope: CallScope, prompt: ExchangePrompt, verdict: MessageVerdict, relay: ReplyRelay<ChatStreamEvent>, signal: AbortSignal): Promise<ReplyDraft> {
    if (verdict.action === "crisis") {
      const draft = await crisisDraft(scope.userId);
      relay.push({ type: "token", text: draft.content });
      return draft;
    }
    // Tokens, and the saved reply, carry only what the person may read of it (docs/anti-leak.md), each
    // sentence held back until the safety check passed it (docs/safety.md).
    const guarded = guardReplyStream(chainFor(prompt).stream(request(prompt, scope), signal), replyGuardFor(prompt.privacy, scope.userId));
    for await (const event of safety.guardStream(scope.userId, guarded)) {
      if (event.type === "token" || event.type === "fallback") relay.push(event);
      else if (event.type === "done") return { content: event.text, status: "complete", provider: event.provider, model: event.model, flagged: event.flagged };
      else {
        const last = scope.lastChatCall;
        const status = event.text === "" ? "failed" : "partial";
        return { content: event.text, status, provider: last?.provider ?? null, model: last?.model ?? null, flagged: event.flagged };
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
      const scope = calls.scope(userId);
      const draft = await write(scope, turn.prompt, await safety.recheckMessage(turn.userMessage.content), relay, stop);
      await turn.committed;
      relay.push({ type: "done", ...(await finish(scope, turn.userMessage, draft, turn.prompt)) });
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
    const entry: StreamingEntry = { userId, relay, writer };
    // Another user's subscription to this id is refused (NOT_FOUND) without displacing the owner's.
    if (!streaming.has(messageId)) streaming.set(messageId, entry);
    // Kept a little after the end: a subscriber that arrives once a quick reply is written
    // (messages.start writes at once) still gets it token by token.
    const forget = () => {
      entry.ended = true;
      setTimeout(() => streaming.get(messageId) === entry && streaming.delete(messageId), FINISHED_RELAY_TTL_MS).unref();
    };
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
    async screen({ userId, content }) {
      return flaggedBy(await safety.checkMessage(userId, content));
    },

    async send(params) {
      const startedAt = performance.now();
      // Before it is stored: a refused message throws SAFETY_REFUSED here (docs/safety.md).
      const verdict = await safety.checkMessage(params.userId, params.content);
      const opened = await openExchange(deps, { ...params, owner, flagged: flaggedBy(verdict) });
      if (opened.kind === "existing") return answerSaved(params.userId, opened.userMessage, startedAt);
      // The model starts while the message commits; a failed commit aborts it.
      const abandon = new AbortController();
      opened.committed.catch((err: unknown) => abandon.abort(err));
      const scope = calls.scope(params.userId);
      const draft = await complete(scope, opened.prompt, verdict, { signal: abandon.signal });
      await opened.committed;
      return finish(scope, opened.userMessage, draft, opened.prompt);
    },

    async start(params) {
      const verdict = await safety.checkMessage(params.userId, params.content);
      const opened = await openExchange(deps, { ...params, owner, flagged: flaggedBy(verdict) });
      if (opened.kind === "existing") return opened.userMessage;
      // Written here at once, while the message commits: the subscription that follows finds
      // it running, its first tokens buffered (the TTFT of bench/ttft.ts). A failed commit aborts it.
      const abandon = new AbortController();
      opened.committed.catch((err: unknown) => abandon.abort(err));
      // Its failure reaches subscribers through the relay and the log through the task.
      runRelay(params.userId, opened.userMessage.id, true, async (relay) => {
        const scope = calls.scope(params.userId);
        const draft = await write(scope, opened.prompt, verdict, relay, AbortSignal.any([relay.abandoned, interruption.signal, abandon.signal]));
        await opened.committed;
        relay.push({ type: "done", ...(await finish(scope, opened.userMessage, draft, opened.prompt)) });
      }).produced.catch(() => undefined);
      await opened.committed;
      return opened.userMessage;
    },

    async stream({ userId, messageId }, signal) {
      await forgetReplaced(userId, messageId);
      const { relay, ready } = relayFor(userId, messageId);
      await ready;
      return relay.subscribe(signal);
    },

    interrupt: () => interruption.abort(),
    drain: () => tasks.drain(),
  };

  /**
   * A finished reply stays replayable here for a while; once it is gone (regenerated, edited or
   * deleted: docs/chat-controls.md), a subscriber gets the exchange as it is now instead.
   */
  async function forgetReplaced(userId: string, messageId: string): Promise<void> {
    const entry = streaming.get(messageId);
    const done = entry?.ended && entry.userId === userId ? entry.relay.last() : undefined;
    if (done?.type !== "done") return;
    const current = await withUser(db, userId, (tx) => findReply(tx, { userId, messageId })).then((found) => found.reply?.id, () => undefined);
    if (current !== done.reply.id && streaming.get(messageId) === entry) streaming.delete(messageId);
  }

  /** A retried send: the saved reply, or the one being written elsewhere, or ours to write if its writer is gone. */
  async function answerSaved(userId: string, userMessage: StoredChatMessage, startedAt: number): Promise<Exchange> {
    const turn = await waitForTurn(deps, { userId, messageId: userMessage.id, owner, staleAfterMs });
    if (!turn) throw new Error("waiting for a reply ended without an abort signal");
    if (turn.kind === "answered") return turn.exchange;
    const left = options.replyDeadlineMs === undefined ? undefined : Math.max(1, Math.floor(options.replyDeadlineMs - (performance.now() - startedAt)));
    const scope = calls.scope(userId);
    const draft = await complete(scope, turn.prompt, await safety.recheckMessage(turn.userMessage.content), left === undefined ? {} : { deadlineMs: left });
    await turn.committed;
    return finish(scope, turn.userMessage, draft, turn.prompt);
  }
}

/** The category stored on the person's message (messages.flagged), if the check flagged it. */
const flaggedBy = (verdict: MessageVerdict): string | null => (verdict.action === "allow" ? null : verdict.category);
