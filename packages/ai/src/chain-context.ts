import { type BreakerOptions, type CircuitBreaker, createBreaker, reportToBreaker } from "./breaker.ts";
import { type BudgetOptions, DEFAULT_BUDGET, backoffDelay, shouldRetry, sleep } from "./budget.ts";
import { ProviderError, type ProviderErrorKind } from "./errors.ts";
import { OFFLINE_PROVIDER } from "./offline.ts";
import { emitCallRecord } from "./call-record.ts";
import type { CallOutcome, CallPurpose, ChatProvider, OnCall, Usage } from "./types.ts";

/** An attempt shorter than this cannot produce a reply; the time is better left to the fallback. */
export const MIN_ATTEMPT_MS = 50;

const DEFAULT_BREAKER: Omit<BreakerOptions, "now"> = { failureThreshold: 3, cooldownMs: 30_000 };

export const NO_USAGE: Usage = { promptTokens: 0, completionTokens: 0 };

export interface ChainEntry {
  provider: ChatProvider;
  breaker: CircuitBreaker;
}

/** What a call record carries besides its outcome, usage and latency (see CallRecord). */
export interface AttemptDetails {
  error?: Error;
  firstTokenMs?: number;
  fallback?: boolean;
  tag?: unknown;
}

/** State shared by `complete` and `stream`: breakers live as long as the chain. */
export interface ChainContext {
  entries: readonly ChainEntry[];
  offline: ChatProvider;
  budget: BudgetOptions;
  random: () => number;
  record(provider: ChatProvider, purpose: CallPurpose, outcome: CallOutcome, usage: Usage, latencyMs: number, details?: AttemptDetails): void;
}

export interface ChainContextOptions {
  providers: readonly ChatProvider[];
  offline: ChatProvider;
  onCall?: OnCall;
  breaker?: Partial<BreakerOptions>;
  budget?: Partial<BudgetOptions>;
  random?: () => number;
}

export function createChainContext(options: ChainContextOptions): ChainContext {
  const names = new Set<string>();
  for (const provider of options.providers) {
    // Breakers and call records are keyed by name, so two providers must not share one.
    if (names.has(provider.name) || provider.name === OFFLINE_PROVIDER) {
      throw new Error(`duplicate or reserved provider name: ${provider.name}`);
    }
    names.add(provider.name);
  }
  const breakerOptions = { ...DEFAULT_BREAKER, ...options.breaker };
  const onCall = options.onCall;

  return {
    entries: options.providers.map((provider) => ({ provider, breaker: createBreaker(breakerOptions) })),
    offline: options.offline,
    budget: { ...DEFAULT_BUDGET, ...options.budget },
    random: options.random ?? Math.random,
    record(provider, purpose, outcome, usage, latencyMs, details) {
      const free = provider.name === OFFLINE_PROVIDER;
      emitCallRecord(onCall, { provider, purpose, outcome, usage, latencyMs, free, ...details });
    },
  };
}

/** The context for one request: the call records of its attempts carry the request's tag. */
export function taggedContext(ctx: ChainContext, tag: unknown): ChainContext {
  if (tag === undefined) return ctx;
  return { ...ctx, record: (provider, purpose, outcome, usage, latencyMs, details) => ctx.record(provider, purpose, outcome, usage, latencyMs, { ...details, tag }) };
}

/** Anything a provider throws becomes a ProviderError, so a buggy custom provider is just a failed attempt. */
export function asProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError("error", `${provider}: ${message}`, false, provider, { cause: err });
}

export function circuitOpenError(provider: string): ProviderError {
  return new ProviderError("circuit_open", `${provider}: circuit open`, false, provider);
}

export function abortedError(cause?: unknown): ProviderError {
  return new ProviderError("aborted", "aborted by caller", false, undefined, { cause });
}

/** Records the outcome and feeds it to the provider's breaker, in one place for both call shapes. */
export function settle(
  ctx: ChainContext,
  entry: ChainEntry,
  purpose: CallPurpose,
  outcome: "ok" | ProviderErrorKind,
  usage: Usage,
  startedAt: number,
  details?: Omit<AttemptDetails, "tag">,
): void {
  reportToBreaker(entry.breaker, outcome);
  ctx.record(entry.provider, purpose, outcome, usage, performance.now() - startedAt, details);
}

/**
 * After a failed attempt: waits the backoff and returns true if the same provider should be
 * tried again, false to move on. Rejects with `aborted` if the caller aborts while waiting.
 */
export async function waitForRetry(
  ctx: ChainContext,
  entry: ChainEntry,
  err: ProviderError,
  retriesSoFar: number,
  remainingMs: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const delay = backoffDelay(retriesSoFar, ctx.budget, ctx.random);
  if (!shouldRetry(err, retriesSoFar, entry.provider.maxRetries, delay, remainingMs, MIN_ATTEMPT_MS)) return false;
  await sleep(Math.max(delay, err.retryAfterMs ?? 0), signal);
  return true;
}
