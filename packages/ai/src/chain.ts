import type { BreakerOptions, BreakerState } from "./breaker.ts";
import { type BudgetOptions, startDeadline } from "./budget.ts";
import {
  type ChainContext,
  MIN_ATTEMPT_MS,
  NO_USAGE,
  abortedError,
  asProviderError,
  circuitOpenError,
  createChainContext,
  settle,
  taggedContext,
  waitForRetry,
} from "./chain-context.ts";
import { streamThroughChain } from "./chain-stream.ts";
import type { ChainRequest, ChainResult, ChainStreamEvent, ChainStreamRequest } from "./chain-types.ts";
import { ProviderError } from "./errors.ts";
import type { ChatProvider, OnCall, Usage } from "./types.ts";

export interface ChatChainOptions {
  /** Tried in order; an empty list makes the chain offline-only. */
  providers: readonly ChatProvider[];
  /** The last resort for chat; see `createOfflinePersona`. */
  offline: ChatProvider;
  /** Called once per attempt, including skipped (`circuit_open`) and offline ones. */
  onCall?: OnCall;
  breaker?: Partial<BreakerOptions>;
  budget?: Partial<BudgetOptions>;
  /** Jitter source, injectable for reproducible tests. */
  random?: () => number;
}

export interface ChatChain {
  /**
   * Each provider in order (transient failures retried within the budget), then the offline persona.
   * `purpose: "chat"` throws only `aborted`; other purposes have no offline answer and throw the last error.
   */
  complete(request: ChainRequest): Promise<ChainResult>;
  /**
   * Streaming chat through the same chain; never throws. The deadline bounds each attempt's start and first
   * token, not a reply in flow; aborting `signal` or leaving the loop aborts the upstream request.
   */
  stream(request: ChainStreamRequest, signal?: AbortSignal): AsyncIterable<ChainStreamEvent>;
  /** The network providers' names, in fallback order (the offline persona is not one). */
  readonly providers: readonly string[];
  /** For health checks and metrics. */
  breakerState(provider: string): BreakerState | undefined;
}

/**
 * The fallback chain. Create it once per process: the circuit breakers live inside it, and
 * a chain per request would forget every provider's failures.
 */
export function createChatChain(options: ChatChainOptions): ChatChain {
  const ctx = createChainContext(options);
  return {
    complete: ({ tag, ...request }) => completeThroughChain(taggedContext(ctx, tag), request),
    stream: ({ tag, ...request }, signal) => streamThroughChain(taggedContext(ctx, tag), request, signal),
    providers: ctx.entries.map((e) => e.provider.name),
    breakerState: (name) => ctx.entries.find((e) => e.provider.name === name)?.breaker.state(),
  };
}

async function completeThroughChain(ctx: ChainContext, request: ChainRequest): Promise<ChainResult> {
  const { purpose = "chat", signal, deadlineMs, ...rest } = request;
  const deadline = startDeadline(Math.min(ctx.budget.deadlineMs, deadlineMs ?? Infinity));
  if (purpose === "chat") ctx.offline.prepare?.();
  let lastError: ProviderError | undefined;
  if (signal?.aborted) throw abortedError(signal.reason);

  providers: for (const entry of ctx.entries) {
    const { provider } = entry;
    for (let retries = 0; ; retries++) {
      if (deadline.remaining() < MIN_ATTEMPT_MS) break providers;
      // Any earlier attempt of this request failed or was skipped.
      const fallback = lastError !== undefined;
      if (!entry.breaker.tryAcquire()) {
        lastError = circuitOpenError(provider.name);
        ctx.record(provider, purpose, "circuit_open", NO_USAGE, 0, { error: lastError, fallback });
        continue providers;
      }
      const startedAt = performance.now();
      try {
        const timeoutMs = Math.min(provider.timeoutMs, deadline.remaining());
        const result = await provider.complete({ ...rest, signal, timeoutMs });
        settle(ctx, entry, purpose, "ok", result, startedAt, { fallback });
        return { text: result.text, provider: provider.name, model: provider.model, usage: usageOf(result) };
      } catch (caught) {
        const err = asProviderError(caught, provider.name);
        settle(ctx, entry, purpose, err.kind, NO_USAGE, startedAt, { error: err, fallback });
        if (signal?.aborted) throw abortedError(signal.reason);
        lastError = err;
        if (!(await waitForRetry(ctx, entry, err, retries, deadline.remaining(), signal))) continue providers;
      }
    }
  }

  if (purpose !== "chat") {
    throw lastError ?? new ProviderError("error", `no provider available for ${purpose}`, false);
  }
  const startedAt = performance.now();
  const offline = await ctx.offline.complete({ ...rest, signal });
  // Reached only when no network provider answered, if there is one.
  ctx.record(ctx.offline, purpose, "ok", offline, performance.now() - startedAt, { fallback: ctx.entries.length > 0 });
  return { text: offline.text, provider: ctx.offline.name, model: ctx.offline.model, usage: usageOf(offline) };
}

const usageOf = (u: Usage): Usage => ({ promptTokens: u.promptTokens, completionTokens: u.completionTokens });
