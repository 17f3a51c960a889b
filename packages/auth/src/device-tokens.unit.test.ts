import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDeviceTokens } from "./device-tokens.ts";

const pepper = new Uint8Array(32).fill(7);

describe("device tokens", () => {
  it("verify for their account only, keep their device id, and refuse tampering and expiry", () => {
    let clock = Date.UTC(2026, 0, 1);
    const devices = createDeviceTokens(pepper, () => new Date(clock));
    const user = randomUUID();
    const token = devices.issue(user);
    const deviceId = devices.verify(token, user);
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(devices.verify(devices.issue(user, deviceId), user)).toBe(deviceId);
    expect(devices.verify(token, randomUUID())).toBeNull();
    expect(devices.verify(token.slice(0, -2) + "AA", user)).toBeNull();
    expect(devices.verify(token.replace(user, randomUUID()), user)).toBeNull();
    expect(createDeviceTokens(new Uint8Array(32).fill(8)).verify(token, user)).toBeNull();
    expect(devices.verify(undefined, user)).toBeNull();
    expect(devices.verify("garbage", user)).toBeNull();
    clock += 366 * 24 * 60 * 60 * 1000;
    expect(devices.verify(token, user)).toBeNull();
  });
});
