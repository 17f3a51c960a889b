// The chain's request, result and stream-event types, shared by chain.ts and chain-stream.ts
// (a module of their own, so that neither imports the other).
import type { ProviderError } from "./errors.ts";
import type { CallPurpose, CompletionRequest, Usage } from "./types.ts";

/** Timeouts are the chain's business: it clips each attempt to what is left of its deadline. */
export type ChainRequest = Omit<CompletionRequest, "timeoutMs" | "idleTimeoutMs"> & {
  purpose?: CallPurpose;
  /**
   * Copied into the call record of every attempt made for this request (`CallRecord.tag`),
   * never sent to a provider: lets one process-wide `onCall` attribute calls to requests.
   */
  tag?: unknown;
  /** Less than the chain's deadline for this request (a reply that already waited); never more. */
  deadlineMs?: number;
};

export type ChainStreamRequest = Omit<ChainRequest, "signal" | "purpose">;

export interface ChainResult {
  text: string;
  provider: string;
  model: string;
  usage: Usage;
}

/**
 * `token`s, possibly interrupted by `fallback`s (after one with `discardPartial` the client drops the
 * tokens since the previous one), then exactly one `done` (the whole reply) or `aborted` (the partial
 * reply being shown). docs/ai.md, "Streaming events".
 */
export type ChainStreamEvent =
  | { type: "token"; text: string }
  | { type: "fallback"; from: string; to: string; reason: ProviderError["kind"]; discardPartial: boolean }
  | { type: "done"; text: string; provider: string; model: string; usage: Usage }
  | { type: "aborted"; text: string };
