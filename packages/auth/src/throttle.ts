import { DomainError } from "@companion/errors";
import { RateLimiterMemory, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * Failed-login throttling that an attacker cannot turn against the account's owner
 * (docs/auth.md#throttling). Only failures consume points. Four counters:
 *
 * - per (account, client IP), strict: one attacker's guesses from one address;
 * - per client IP, a higher cap: one address spraying many accounts;
 * - per account across IPs, a much higher cap: guessing from many addresses;
 * - per (device, account): a login that presents a valid device token (a device that signed in
 *   to this account before) is checked against this limit ONLY, so neither an attacker's
 *   failures on the account nor a neighbour's on the shared IP (a NAT) can keep the owner out,
 *   while a stolen device token still cannot guess freely.
 */
export interface LoginAttempt {
  /** The normalized email. */
  account: string;
  ip: string | null;
  /** The device id of a valid device token for this account; null or absent without one. */
  deviceId?: string | null;
}

export interface LoginThrottle {
  /** Throws DomainError TOO_MANY_REQUESTS (details.retryAfterMs, details.limit) when a counter that applies is spent. */
  check(attempt: LoginAttempt): Promise<void>;
  recordFailure(attempt: LoginAttempt): Promise<void>;
  /** Clears the counters of this account (and device); the IP's stay, so one good account cannot unlock spraying. */
  recordSuccess(attempt: LoginAttempt): Promise<void>;
}

interface ThrottleLimit {
  points: number;
  durationSec: number;
}

type LimitName = "accountIp" | "account" | "ip" | "device";

export interface LoginThrottleOptions {
  perAccountIp?: ThrottleLimit;
  perAccount?: ThrottleLimit;
  perIp?: ThrottleLimit;
  perDevice?: ThrottleLimit;
  /** Shared stores (e.g. RateLimiterRedis) for more than one server process; memory otherwise. */
  limiters?: Record<LimitName, RateLimiterAbstract>;
}

const DEFAULT_LOGIN_LIMITS: Record<LimitName, ThrottleLimit> = {
  accountIp: { points: 5, durationSec: 900 },
  account: { points: 100, durationSec: 900 },
  ip: { points: 30, durationSec: 900 },
  device: { points: 10, durationSec: 900 },
};

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const rules: Record<LimitName, ThrottleLimit> = {
    accountIp: options.perAccountIp ?? DEFAULT_LOGIN_LIMITS.accountIp,
    account: options.perAccount ?? DEFAULT_LOGIN_LIMITS.account,
    ip: options.perIp ?? DEFAULT_LOGIN_LIMITS.ip,
    device: options.perDevice ?? DEFAULT_LOGIN_LIMITS.device,
  };
  const memory = (name: LimitName) =>
    new RateLimiterMemory({ keyPrefix: `login_${name}`, points: rules[name].points, duration: rules[name].durationSec });
  const limiters: Record<LimitName, RateLimiterAbstract> = options.limiters ?? {
    accountIp: memory("accountIp"),
    account: memory("account"),
    ip: memory("ip"),
    device: memory("device"),
  };

  /** The counters an attempt is checked against and charged to, with their keys. */
  const keysOf = ({ account, ip, deviceId }: LoginAttempt): [LimitName, string][] => {
    if (deviceId) return [["device", `${deviceId}|${account}`]];
    return [
      ["accountIp", `${account}|${ip ?? "-"}`],
      ["account", account],
      ...(ip === null ? [] : ([["ip", ip]] as [LimitName, string][])),
    ];
  };

  return {
    async check(attempt) {
      const waits = await Promise.all(keysOf(attempt).map(async ([name, key]) => ({ name, ms: await blockedForMs(limiters[name], key) })));
      const worst = waits.reduce((a, b) => (b.ms > a.ms ? b : a), { name: "account", ms: 0 });
      if (worst.ms > 0) {
        throw new DomainError("TOO_MANY_REQUESTS", "Too many failed login attempts; try again later", { retryAfterMs: worst.ms, limit: worst.name });
      }
    },
    async recordFailure(attempt) {
      // penalty() never rejects for being over the limit, unlike consume(); check() does the blocking.
      await Promise.all(keysOf(attempt).map(([name, key]) => limiters[name].penalty(key, 1)));
    },
    async recordSuccess(attempt) {
      await Promise.all(
        keysOf(attempt)
          .filter(([name]) => name !== "ip")
          .map(([name, key]) => limiters[name].delete(key)),
      );
    },
  };
}

/** 0 when the key may try again, else the milliseconds until its window resets. */
async function blockedForMs(limiter: RateLimiterAbstract, key: string): Promise<number> {
  const res = await limiter.get(key);
  if (!res || res.consumedPoints < limiter.points) return 0;
  // A window that has just run out reads as 0 ms; still report a positive wait.
  return Math.max(1, res.msBeforeNext);
}
