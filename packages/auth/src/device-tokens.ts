import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * Device tokens (OWASP "device cookie", docs/auth.md#throttling): issued on every successful
 * login or registration, sent back by the client with its next login. A valid one for the
 * account says "this device signed in to this account before", which lets the login past the
 * per-account and per-IP throttles (only its own per-device limit applies). An HMAC over
 * `<device id>.<user id>.<expiry>`, with a key derived from the refresh pepper; nothing stored.
 */
export interface DeviceTokens {
  /** Keeps `deviceId` when the device presented a valid token; a fresh id otherwise. */
  issue(userId: string, deviceId?: string | null): string;
  /** The device id when `token` is a valid, unexpired device token of `userId`; else null. */
  verify(token: string | undefined, userId: string): string | null;
}

const VERSION = "dv1";
const DEVICE_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createDeviceTokens(pepper: Uint8Array, now: () => Date = () => new Date()): DeviceTokens {
  // Its own key: a device token's MAC is never a valid refresh-token derivation, nor the reverse.
  const key = createHmac("sha256", pepper).update("companion device token v1").digest();
  const mac = (body: string) => createHmac("sha256", key).update(body).digest("base64url");

  return {
    issue(userId, deviceId) {
      const body = `${VERSION}.${deviceId ?? randomUUID()}.${userId}.${now().getTime() + DEVICE_TOKEN_TTL_MS}`;
      return `${body}.${mac(body)}`;
    },
    verify(token, userId) {
      if (!token) return null;
      const parts = token.split(".");
      if (parts.length !== 5) return null;
      const [version, deviceId, tokenUser, expires, signature] = parts as [string, string, string, string, string];
      if (version !== VERSION || !UUID.test(deviceId) || tokenUser !== userId || !/^\d{1,15}$/.test(expires)) return null;
      const expected = Buffer.from(mac(`${version}.${deviceId}.${tokenUser}.${expires}`));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      return Number(expires) > now().getTime() ? deviceId : null;
    },
  };
}
