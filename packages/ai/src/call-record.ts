import { estimateCostUsd } from "./pricing.ts";
import type { CallOutcome, CallPurpose, CallRecord, OnCall, Usage } from "./types.ts";

export interface CallRecordInput {
  provider: { name: string; model: string };
  purpose: CallPurpose;
  outcome: CallOutcome;
  usage: Usage;
  latencyMs: number;
  /** The offline fallback bills nothing whatever its model name. */
  free?: boolean;
  error?: Error | string;
  firstTokenMs?: number;
  fallback?: boolean;
  tag?: unknown;
}

/**
 * Builds the record and hands it to `onCall`. Accounting must never break a reply, so a
 * throwing or rejecting recorder is reported on stderr and otherwise ignored.
 */
// Only the error's kind: a recorder's error may quote the record it failed to store.
const reportRecorderFailure = (err: unknown) => console.error(`ai: onCall failed (${err instanceof Error ? err.name : typeof err})`);

export function emitCallRecord(onCall: OnCall | undefined, input: CallRecordInput): void {
  if (!onCall) return;
  const { provider, usage, error } = input;
  const record: CallRecord = {
    provider: provider.name,
    model: provider.model,
    purpose: input.purpose,
    outcome: input.outcome,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    latencyMs: Math.round(input.latencyMs),
    costUsd: input.free ? 0 : estimateCostUsd(provider.model, usage),
    ...(error === undefined ? {} : { errorMessage: typeof error === "string" ? error : error.message }),
    ...(input.firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(input.firstTokenMs) }),
    ...(input.fallback ? { fallback: true } : {}),
    ...(input.tag === undefined ? {} : { tag: input.tag }),
  };
  try {
    Promise.resolve(onCall(record)).catch(reportRecorderFailure);
  } catch (err) {
    reportRecorderFailure(err);
  }
}
