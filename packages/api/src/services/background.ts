/**
 * Work that must not delay a response but must not be lost either: recording model calls,
 * updating the relationship after a chat exchange, saving a reply whose client left.
 * Each task is tracked until it settles, so shutdown (and tests) can wait for all of them.
 */
import type { CallRecord, OnCall } from "@companion/ai";
import { insertAiCalls, serializeError, type AiCallInput, type Database } from "@companion/db";
import { observeAiCall } from "@companion/metrics";

/** The subset of a pino logger the services use. */
export interface ServiceLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** For callers without a logger (scripts, tests); errors printed as a pino logger would log them. */
export const consoleLogger: ServiceLogger = {
  error: (obj, msg) => console.error(msg, safeFields(obj)),
  warn: (obj, msg) => console.error(msg, safeFields(obj)),
};

const safeFields = (obj: object) => ("err" in obj ? { ...obj, err: serializeError(obj.err) } : obj);

export interface BackgroundTasks {
  /** Runs `task` detached; a rejection is logged with `what`, never thrown at anyone. */
  track(what: string, task: Promise<unknown>): void;
  /**
   * Runs `fn` when one of the few database slots for background work is free. Requests
   * waiting for their first token then compete with at most that many background
   * transactions, not with the backlog of every reply that just finished.
   */
  withDbSlot<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once every task tracked so far, and any they started, has settled. */
  drain(): Promise<void>;
  readonly pending: number;
}

export function createBackgroundTasks(log: ServiceLogger, options: { dbSlots?: number } = {}): BackgroundTasks {
  const pending = new Set<Promise<unknown>>();
  const slots = options.dbSlots ?? 2;
  let busy = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  };
  return {
    track(what, task) {
      const settled = task.then(
        () => undefined,
        (err: unknown) => log.error({ err, task: what }, "background task failed"),
      );
      pending.add(settled);
      void settled.finally(() => pending.delete(settled));
    },
    async withDbSlot(fn) {
      // A released slot passes straight to the next waiter, so `busy` never exceeds `slots`.
      if (busy < slots) busy++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await fn();
      } finally {
        release();
      }
    },
    async drain() {
      // Tasks may track follow-up tasks while we wait; loop until none are left.
      while (pending.size > 0) await Promise.all([...pending]);
    },
    get pending() {
      return pending.size;
    },
  };
}

/** Whose request a model call serves, and the last chat attempt seen within it. */
export interface CallScope {
  userId: string;
  lastChatCall: CallRecord | undefined;
}

export interface AiCallRecorder {
  /** Give this to the chain (`createChatChainFromConfig(config, { onCall })`). */
  onCall: OnCall;
  /**
   * A scope for `userId`'s model calls, passed as each request's `tag` (the last chat attempt is kept
   * in `lastChatCall`): AsyncLocalStorage's promise hooks would cost about 1 ms of CPU per exchange.
   */
  scope(userId: string): CallScope;
}

/**
 * Counts each call record in the metrics (docs/metrics.md) and writes it to ai_calls off the reply's
 * path, one multi-row insert per event-loop turn; failed calls are also logged with the provider's message.
 */
export function createAiCallRecorder(deps: { db: Database; tasks: BackgroundTasks; log: ServiceLogger }): AiCallRecorder {
  const scopes = new WeakSet<CallScope>();
  const scopeOf = (tag: unknown): CallScope | undefined => (typeof tag === "object" && tag !== null && scopes.has(tag as CallScope) ? (tag as CallScope) : undefined);
  let buffer: AiCallInput[] = [];
  const flush = () => {
    const rows = buffer;
    buffer = [];
    deps.tasks.track("record ai calls", deps.tasks.withDbSlot(() => insertAiCalls(deps.db, rows)));
  };
  const onCall: OnCall = (record) => {
    observeAiCall(record);
    const scope = scopeOf(record.tag);
    if (scope && record.purpose === "chat") scope.lastChatCall = record;
    if (record.outcome !== "ok" && record.outcome !== "aborted") {
      deps.log.warn({ provider: record.provider, model: record.model, outcome: record.outcome, error: record.errorMessage }, "model call failed");
    }
    if (buffer.length === 0) deps.tasks.track("record ai calls", new Promise<void>((resolve) => setImmediate(() => resolve(flush()))));
    buffer.push({
      userId: scope?.userId ?? null,
      provider: record.provider,
      model: record.model,
      purpose: record.purpose,
      outcome: record.outcome,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      latencyMs: record.latencyMs,
      costUsd: record.costUsd,
    });
  };
  return {
    onCall,
    scope: (userId) => {
      const scope: CallScope = { userId, lastChatCall: undefined };
      scopes.add(scope);
      return scope;
    },
  };
}
