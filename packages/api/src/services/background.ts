/**
 * Work that must not delay a response: a reply still being written whose client left is
 * tracked until it is saved, so shutdown (and tests) can wait for it. Work that must survive
 * a crash is a job instead (packages/jobs): model call records go to ai_calls through one.
 */
import { randomUUID } from "node:crypto";
import type { CallRecord, OnCall } from "@companion/ai";
import { serializeError } from "@companion/db";
import type { AiCallPayload, JobQueue } from "@companion/jobs";
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
  /** Resolves once every task tracked so far, and any they started, has settled. */
  drain(): Promise<void>;
  readonly pending: number;
}

export function createBackgroundTasks(log: ServiceLogger): BackgroundTasks {
  const pending = new Set<Promise<unknown>>();
  return {
    track(what, task) {
      const settled = task.then(
        () => undefined,
        (err: unknown) => log.error({ err, task: what }, "background task failed"),
      );
      pending.add(settled);
      void settled.finally(() => pending.delete(settled));
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

/** Whose request a model call serves, and the calls seen within it (a chat exchange, an after-reply job). */
export interface CallScope {
  userId: string;
  lastChatCall: CallRecord | undefined;
  /** Every call made in this scope, for the job that records them (enqueued with the reply). */
  calls: AiCallPayload[];
}

export interface AiCallRecorder {
  /** Give this to the chain (`createChatChainFromConfig(config, { onCall })`). */
  onCall: OnCall;
  /**
   * A scope for `userId`'s model calls, passed as each request's `tag`: its calls are kept in
   * `calls` for the caller to record with its own write, not recorded here. AsyncLocalStorage's
   * promise hooks would cost about 1 ms of CPU per exchange.
   */
  scope(userId: string): CallScope;
}

function toAiCallPayload(record: CallRecord, userId: string | null): AiCallPayload {
  return {
    id: randomUUID(),
    userId,
    provider: record.provider,
    model: record.model,
    purpose: record.purpose,
    outcome: record.outcome,
    promptTokens: Math.max(0, record.promptTokens),
    completionTokens: Math.max(0, record.completionTokens),
    latencyMs: Math.max(0, record.latencyMs),
    costUsd: Math.max(0, record.costUsd),
    at: new Date().toISOString(),
  };
}

/**
 * Counts each call record in the metrics (docs/metrics.md). Calls inside a scope are kept on
 * it (the chat service enqueues them with the reply); the others are sent to ai_calls as an
 * `ai-calls.record` job, one per event-loop turn. Failed calls are logged with the provider's message.
 */
export function createAiCallRecorder(deps: { jobs: Pick<JobQueue, "send">; tasks: BackgroundTasks; log: ServiceLogger }): AiCallRecorder {
  const scopes = new WeakSet<CallScope>();
  const scopeOf = (tag: unknown): CallScope | undefined => (typeof tag === "object" && tag !== null && scopes.has(tag as CallScope) ? (tag as CallScope) : undefined);
  let buffer: AiCallPayload[] = [];
  const flush = async () => {
    const calls = buffer;
    buffer = [];
    for (let i = 0; i < calls.length; i += 500) await deps.jobs.send("ai-calls.record", { calls: calls.slice(i, i + 500) });
  };
  const onCall: OnCall = (record) => {
    observeAiCall(record);
    const scope = scopeOf(record.tag);
    if (record.outcome !== "ok" && record.outcome !== "aborted") {
      deps.log.warn({ provider: record.provider, model: record.model, outcome: record.outcome, error: record.errorMessage }, "model call failed");
    }
    if (scope) {
      if (record.purpose === "chat") scope.lastChatCall = record;
      scope.calls.push(toAiCallPayload(record, scope.userId));
      return;
    }
    if (buffer.length === 0) deps.tasks.track("record ai calls", new Promise<void>((resolve) => setImmediate(resolve)).then(flush));
    buffer.push(toAiCallPayload(record, null));
  };
  return {
    onCall,
    scope: (userId) => {
      const scope: CallScope = { userId, lastChatCall: undefined, calls: [] };
      scopes.add(scope);
      return scope;
    },
  };
}
