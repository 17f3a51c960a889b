import type { ProviderErrorKind } from "./errors.ts";

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails fast before letting one probe through. */
  cooldownMs: number;
  /** Injected so tests can move time without sleeping. */
  now?: () => number;
}

export interface CircuitBreaker {
  /**
   * Asks to make a call. False means fail fast without touching the network. True in
   * half-open means this caller is the single probe and must report back.
   */
  tryAcquire(): boolean;
  onSuccess(): void;
  onFailure(): void;
  /** The call ended without telling us anything about the provider (e.g. the user aborted). */
  onNeutral(): void;
  state(): BreakerState;
}

/**
 * Circuit breaker for one provider: closed → open after `failureThreshold` consecutive
 * failures → after `cooldownMs`, half-open with exactly one probe → closed on success,
 * open again (with a fresh cool-down) on failure.
 */
export function createBreaker(options: BreakerOptions): CircuitBreaker {
  const now = options.now ?? Date.now;
  let state: BreakerState = "closed";
  let failures = 0;
  let openedAt = 0;
  let probeStartedAt: number | undefined;

  const open = () => {
    state = "open";
    openedAt = now();
    probeStartedAt = undefined;
  };

  return {
    tryAcquire() {
      if (state === "closed") return true;
      const t = now();
      if (state === "open") {
        if (t - openedAt < options.cooldownMs) return false;
        state = "half_open";
        probeStartedAt = t;
        return true;
      }
      // Half-open: one probe at a time. A probe that never reported back (a bug, a lost
      // promise) must not wedge the provider forever, so it expires after one cool-down.
      if (probeStartedAt !== undefined && t - probeStartedAt < options.cooldownMs) return false;
      probeStartedAt = t;
      return true;
    },
    onSuccess() {
      state = "closed";
      failures = 0;
      probeStartedAt = undefined;
    },
    onFailure() {
      failures++;
      if (state === "half_open" || failures >= options.failureThreshold) open();
    },
    onNeutral() {
      // Free the probe slot so the next caller can probe; nothing was learned.
      if (state === "half_open") probeStartedAt = undefined;
    },
    state: () => state,
  };
}

/**
 * Which outcomes count against a provider. A 400 proves the server is up and answering
 * (the request was at fault), and an abort was the user's choice, so neither trips it.
 */
export function reportToBreaker(breaker: CircuitBreaker, outcome: "ok" | ProviderErrorKind): void {
  switch (outcome) {
    case "ok":
    case "bad_request":
      breaker.onSuccess();
      return;
    case "aborted":
    case "circuit_open":
      breaker.onNeutral();
      return;
    case "timeout":
    case "rate_limited":
    case "server_error":
    case "error":
      breaker.onFailure();
  }
}
