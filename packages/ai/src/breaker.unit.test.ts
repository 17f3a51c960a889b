import { describe, expect, it } from "vitest";
import { createBreaker, reportToBreaker } from "./breaker.ts";
import { backoffDelay, shouldRetry } from "./budget.ts";
import { ProviderError } from "./errors.ts";

function setup(failureThreshold = 3, cooldownMs = 1_000) {
  const clock = { t: 0 };
  const breaker = createBreaker({ failureThreshold, cooldownMs, now: () => clock.t });
  return { clock, breaker };
}

describe("circuit breaker", () => {
  it("opens after K consecutive failures, and a success in between resets the count", () => {
    const { breaker } = setup(3);
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state()).toBe("closed");
    breaker.onFailure();
    expect(breaker.state()).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
  });

  it("lets exactly one probe through after the cool-down; success closes", () => {
    const { clock, breaker } = setup(1);
    breaker.onFailure();
    clock.t = 999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state()).toBe("half_open");
    expect(breaker.tryAcquire()).toBe(false);
    breaker.onSuccess();
    expect(breaker.state()).toBe("closed");
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("a failed probe re-opens with a fresh cool-down", () => {
    const { clock, breaker } = setup(2);
    breaker.onFailure();
    breaker.onFailure();
    clock.t = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.state()).toBe("open");
    clock.t = 1_500;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 2_000;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("a neutral probe (user abort) frees the slot without deciding", () => {
    const { clock, breaker } = setup(1);
    breaker.onFailure();
    clock.t = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onNeutral();
    expect(breaker.state()).toBe("half_open");
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("a probe that never reports back expires after one cool-down", () => {
    const { clock, breaker } = setup(1);
    breaker.onFailure();
    clock.t = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    clock.t = 1_999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.t = 2_000;
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("counts provider failures, not bad requests or aborts", () => {
    const { breaker } = setup(1);
    reportToBreaker(breaker, "bad_request");
    reportToBreaker(breaker, "aborted");
    expect(breaker.state()).toBe("closed");
    reportToBreaker(breaker, "rate_limited");
    expect(breaker.state()).toBe("open");
  });
});

describe("retry budget", () => {
  const budget = { deadlineMs: 1_000, baseBackoffMs: 100, maxBackoffMs: 300 };
  const transient = new ProviderError("server_error", "boom", true);

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffDelay(0, budget, () => 0)).toBe(50);
    expect(backoffDelay(0, budget, () => 1)).toBe(100);
    expect(backoffDelay(1, budget, () => 1)).toBe(200);
    expect(backoffDelay(5, budget, () => 1)).toBe(300);
  });

  it("retries only retryable kinds, within the count and the time left", () => {
    expect(shouldRetry(transient, 0, 1, 100, 1_000, 50)).toBe(true);
    expect(shouldRetry(transient, 1, 1, 100, 1_000, 50)).toBe(false);
    expect(shouldRetry(transient, 0, 1, 100, 120, 50)).toBe(false);
    expect(shouldRetry(new ProviderError("bad_request", "no", false), 0, 3, 10, 1_000, 50)).toBe(false);
    const slowDown = new ProviderError("rate_limited", "429", true, "p", { retryAfterMs: 5_000 });
    expect(shouldRetry(slowDown, 0, 3, 10, 1_000, 50)).toBe(false);
  });
});
