import { DomainError } from "@companion/errors";
import { describe, expect, it } from "vitest";
import { createLoginThrottle } from "./throttle.ts";

async function blockedError(promise: Promise<void>): Promise<DomainError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe("login throttle", () => {
  it("blocks an account after N failures with a positive retryAfterMs", async () => {
    const throttle = createLoginThrottle({ perAccount: { points: 3, durationSec: 60 } });
    for (let i = 0; i < 3; i++) {
      await throttle.check("a@example.com", "10.0.0.1");
      await throttle.recordFailure("a@example.com", `10.0.0.${i + 1}`);
    }
    const err = await blockedError(throttle.check("a@example.com", "10.0.0.99"));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    expect(err.details?.retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another account from a fresh IP is unaffected.
    await expect(throttle.check("b@example.com", "10.0.0.99")).resolves.toBeUndefined();
  });

  it("uses the default of 5 failures per account", async () => {
    const throttle = createLoginThrottle();
    for (let i = 0; i < 4; i++) await throttle.recordFailure("a@example.com", null);
    await expect(throttle.check("a@example.com", null)).resolves.toBeUndefined();
    await throttle.recordFailure("a@example.com", null);
    await expect(throttle.check("a@example.com", null)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("a success resets the account's failures", async () => {
    const throttle = createLoginThrottle({ perAccount: { points: 3, durationSec: 60 } });
    await throttle.recordFailure("a@example.com", null);
    await throttle.recordFailure("a@example.com", null);
    await throttle.recordSuccess("a@example.com");
    await throttle.recordFailure("a@example.com", null);
    await throttle.recordFailure("a@example.com", null);
    await expect(throttle.check("a@example.com", null)).resolves.toBeUndefined();
    await throttle.recordFailure("a@example.com", null);
    await expect(throttle.check("a@example.com", null)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("blocks an IP across accounts, and a null IP skips the IP limit", async () => {
    const throttle = createLoginThrottle({ perIp: { points: 4, durationSec: 60 } });
    for (let i = 0; i < 4; i++) await throttle.recordFailure(`user${i}@example.com`, "10.0.0.1");
    const err = await blockedError(throttle.check("fresh@example.com", "10.0.0.1"));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    await expect(throttle.check("fresh@example.com", null)).resolves.toBeUndefined();
    await expect(throttle.check("fresh@example.com", "10.0.0.2")).resolves.toBeUndefined();
  });

  it("success does not clear the IP's failures", async () => {
    const throttle = createLoginThrottle({ perIp: { points: 2, durationSec: 60 } });
    await throttle.recordFailure("a@example.com", "10.0.0.1");
    await throttle.recordFailure("b@example.com", "10.0.0.1");
    await throttle.recordSuccess("b@example.com");
    await expect(throttle.check("c@example.com", "10.0.0.1")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });
});
