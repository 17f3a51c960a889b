/**
 * Model-call metrics, fed from the call records of @companion/ai (its `onCall`), and the
 * circuit breakers' state, read from the chains at scrape time. Typed by shape, so this
 * package needs nothing from @companion/ai.
 */
import { counter, gauge, histogram } from "./definitions.ts";

/** The fields of @companion/ai's CallRecord that the metrics read. */
export interface ObservedCall {
  provider: string;
  purpose: string;
  outcome: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
  firstTokenMs?: number;
  fallback?: boolean;
}

/** What the breaker gauge reads from a chain (@companion/ai's ChatChain has both). */
export interface BreakerSource {
  readonly providers: readonly string[];
  breakerState(provider: string): string | undefined;
}

const BREAKER_STATES = ["closed", "half_open", "open"] as const;

const aiCalls = counter({
  name: "ai_calls_total",
  help: "Model call attempts by provider, purpose (chat, sentiment, summary) and outcome (ok, timeout, circuit_open, ...); the offline persona is provider=offline",
  labelNames: ["provider", "purpose", "outcome"] as const,
});

const aiCallDuration = histogram({
  name: "ai_call_duration_seconds",
  help: "Duration of model call attempts (a streamed one until its last token)",
  labelNames: ["provider", "purpose"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
});

const aiTimeToFirstToken = histogram({
  name: "ai_time_to_first_token_seconds",
  help: "Time from the start of a streamed attempt to its first token",
  labelNames: ["provider"] as const,
  buckets: [0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 20],
});

const aiTokens = counter({
  name: "ai_tokens_total",
  help: "Tokens by provider and kind (prompt, completion), as reported by the provider or estimated",
  labelNames: ["provider", "kind"] as const,
});

const aiCost = counter({
  name: "ai_cost_usd_total",
  help: "Estimated cost of model calls in US dollars (packages/ai pricing.ts)",
  labelNames: ["provider"] as const,
});

const aiFallbacks = counter({
  name: "ai_fallbacks_total",
  help: "Attempts that were not the request's first choice (a retry, the next provider, or the offline persona after the network failed), by the provider tried",
  labelNames: ["provider", "purpose"] as const,
});

const breakerSources = new Set<BreakerSource>();

// Read at scrape time: one series per provider and state, 1 for the current one. Summed
// over a cluster it says how many server processes have the provider in each state.
gauge({
  name: "ai_circuit_breaker_state",
  help: "Circuit breaker of each provider: 1 for its current state (closed, half_open, open), 0 for the others",
  labelNames: ["provider", "state"] as const,
  collect() {
    this.reset();
    for (const source of breakerSources) {
      for (const provider of source.providers) {
        const current = source.breakerState(provider);
        for (const state of BREAKER_STATES) this.inc({ provider, state }, state === current ? 1 : 0);
      }
    }
  },
});

/** Counts one call record. Give it every record: `onCall: (r) => observeAiCall(r)`. */
export function observeAiCall(call: ObservedCall): void {
  const { provider, purpose } = call;
  aiCalls.inc({ provider, purpose, outcome: call.outcome });
  if (call.outcome === "circuit_open") return; // skipped, nothing was sent
  aiCallDuration.observe({ provider, purpose }, call.latencyMs / 1000);
  if (call.firstTokenMs !== undefined) aiTimeToFirstToken.observe({ provider }, call.firstTokenMs / 1000);
  if (call.promptTokens > 0) aiTokens.inc({ provider, kind: "prompt" }, call.promptTokens);
  if (call.completionTokens > 0) aiTokens.inc({ provider, kind: "completion" }, call.completionTokens);
  if (call.costUsd > 0) aiCost.inc({ provider }, call.costUsd);
  if (call.fallback) aiFallbacks.inc({ provider, purpose });
}

/** Reports the chain's breakers on every scrape until the returned function is called. */
export function trackBreakers(source: BreakerSource): () => void {
  breakerSources.add(source);
  return () => void breakerSources.delete(source);
}
