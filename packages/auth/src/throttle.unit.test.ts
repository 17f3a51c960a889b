import { DomainError } from "@companion/errors";
import { describe, expect, it } from "vitest";
import { createLoginThrottle, type LoginAttempt } from "./throttle.ts";

async function blockedError(promise: Promise<void>): Promise<DomainError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

const DEVICE = "6f0d6c3e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
const at = (account: string, ip: string | null, deviceId?: string): LoginAttempt => ({ account, ip, deviceId: deviceId ?? null });

describe("login throttle", () => {
  it("blocks one (account, IP) after N failures with a positive retryAfterMs, and only that pair", async () => {
    const throttle = createLoginThrottle({ perAccountIp: { points: 3, durationSec: 60 } });
    for (let i = 0; i < 3; i++) {
      await throttle.check(at("a@example.com", "10.0.0.1"));
      await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    }
    const err = await blockedError(throttle.check(at("a@example.com", "10.0.0.1")));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.details).toMatchObject({ limit: "accountIp" });
    expect(err.details?.retryAfterMs).toBeGreaterThan(0);
    expect(err.details?.retryAfterMs).toBeLessThanOrEqual(60_000);
    // The owner from another address, and another account from the same address, are not affected.
    await expect(throttle.check(at("a@example.com", "10.0.0.2"))).resolves.toBeUndefined();
    await expect(throttle.check(at("b@example.com", "10.0.0.1"))).resolves.toBeUndefined();
  });

  it("uses the defaults: 5 per (account, IP), 100 per account across IPs", async () => {
    const throttle = createLoginThrottle();
    for (let i = 0; i < 4; i++) await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await expect(throttle.check(at("a@example.com", "10.0.0.1"))).resolves.toBeUndefined();
    await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await expect(throttle.check(at("a@example.com", "10.0.0.1"))).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // 95 more from 95 addresses (one each): the account's cap of 100 is reached for every address.
    for (let i = 0; i < 95; i++) await throttle.recordFailure(at("a@example.com", `10.1.${i >> 8}.${i & 255}`));
    expect((await blockedError(throttle.check(at("a@example.com", "10.9.9.9")))).details).toMatchObject({ limit: "account" });
  });

  it("caps failures per IP across accounts", async () => {
    const throttle = createLoginThrottle({ perIp: { points: 3, durationSec: 60 } });
    for (let i = 0; i < 3; i++) await throttle.recordFailure(at(`user${i}@example.com`, "10.0.0.1"));
    expect((await blockedError(throttle.check(at("fresh@example.com", "10.0.0.1")))).details).toMatchObject({ limit: "ip" });
    await expect(throttle.check(at("fresh@example.com", "10.0.0.2"))).resolves.toBeUndefined();
  });

  it("a valid device is held to its own limit only: past the account's and the IP's", async () => {
    const throttle = createLoginThrottle({ perAccountIp: { points: 2, durationSec: 60 }, perAccount: { points: 2, durationSec: 60 }, perIp: { points: 2, durationSec: 60 }, perDevice: { points: 3, durationSec: 60 } });
    for (let i = 0; i < 2; i++) await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await expect(throttle.check(at("a@example.com", "10.0.0.1"))).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(throttle.check(at("a@example.com", "10.0.0.1", DEVICE))).resolves.toBeUndefined();
    // A stolen device token cannot guess freely: three failures spend the device's limit.
    for (let i = 0; i < 3; i++) await throttle.recordFailure(at("a@example.com", "10.0.0.7", DEVICE));
    expect((await blockedError(throttle.check(at("a@example.com", "10.0.0.8", DEVICE)))).details).toMatchObject({ limit: "device" });
    // Its failures did not touch the account's counters for other addresses.
    await expect(throttle.check(at("a@example.com", "10.0.0.9"))).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" }); // the account cap of 2
  });

  it("a success resets the account's counters but not the IP's", async () => {
    const throttle = createLoginThrottle({ perAccountIp: { points: 3, durationSec: 60 }, perIp: { points: 4, durationSec: 60 } });
    await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await throttle.recordSuccess(at("a@example.com", "10.0.0.1"));
    await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    await throttle.recordFailure(at("a@example.com", "10.0.0.1"));
    // Two failures since the success on the (account, IP) counter of 3; the IP's four still count.
    expect((await blockedError(throttle.check(at("a@example.com", "10.0.0.1")))).details).toMatchObject({ limit: "ip" });
    await expect(throttle.check(at("a@example.com", "10.0.0.2"))).resolves.toBeUndefined();
  });

  it("without a client IP only the account counters apply", async () => {
    const throttle = createLoginThrottle({ perAccountIp: { points: 2, durationSec: 60 } });
    await throttle.recordFailure(at("a@example.com", null));
    await throttle.recordFailure(at("a@example.com", null));
    await expect(throttle.check(at("a@example.com", null))).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });
});
