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
 * Events of `chain.stream`, in order: `token`s, possibly interrupted by `fallback`s, then
 * exactly one of `done` or `aborted`.
 *
 * - `fallback`: an attempt failed and the reply restarts from scratch on `to` (which equals
 *   `from` for a retry of the same provider). When `discardPartial` is true the client must
 *   drop the tokens shown since the previous fallback: the new attempt does not continue them.
 * - `done.text` is the complete reply of the attempt that succeeded.
 * - `aborted.text` is the partial reply the client is showing (tokens since the last fallback).
 */
export type ChainStreamEvent =
  | { type: "token"; text: string }
  | { type: "fallback"; from: string; to: string; reason: ProviderError["kind"]; discardPartial: boolean }
  | { type: "done"; text: string; provider: string; model: string; usage: Usage }
  | { type: "aborted"; text: string };
