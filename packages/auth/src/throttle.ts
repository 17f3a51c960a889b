import { DomainError } from "@companion/errors";
import { RateLimiterMemory, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * Failed-login throttling per account and per client IP. Only failures consume points, so a
 * user who types the password right is never slowed down by their own earlier success.
 */
export interface LoginThrottle {
  /** Throws DomainError TOO_MANY_REQUESTS (details.retryAfterMs) when either key is blocked. */
  check(accountKey: string, ipKey: string | null): Promise<void>;
  recordFailure(accountKey: string, ipKey: string | null): Promise<void>;
  /** Clears the account's failures; the IP's stay, so one good account cannot unlock spraying. */
  recordSuccess(accountKey: string): Promise<void>;
}

interface ThrottleLimit {
  points: number;
  durationSec: number;
}

export interface LoginThrottleOptions {
  perAccount?: ThrottleLimit;
  perIp?: ThrottleLimit;
  /** Shared stores (e.g. RateLimiterRedis) for more than one server process; memory otherwise. */
  limiters?: { account: RateLimiterAbstract; ip: RateLimiterAbstract };
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const { perAccount = { points: 5, durationSec: 900 }, perIp = { points: 30, durationSec: 900 } } = options;
  const account =
    options.limiters?.account ??
    new RateLimiterMemory({ keyPrefix: "login_account", points: perAccount.points, duration: perAccount.durationSec });
  const ip =
    options.limiters?.ip ?? new RateLimiterMemory({ keyPrefix: "login_ip", points: perIp.points, duration: perIp.durationSec });

  return {
    async check(accountKey, ipKey) {
      const waits = await Promise.all([blockedForMs(account, accountKey), ipKey === null ? 0 : blockedForMs(ip, ipKey)]);
      const retryAfterMs = Math.max(...waits);
      if (retryAfterMs > 0) {
        throw new DomainError("TOO_MANY_REQUESTS", "Too many failed login attempts; try again later", { retryAfterMs });
      }
    },
    async recordFailure(accountKey, ipKey) {
      // penalty() never rejects for being over the limit, unlike consume(); check() does the blocking.
      await Promise.all([account.penalty(accountKey, 1), ipKey === null ? undefined : ip.penalty(ipKey, 1)]);
    },
    async recordSuccess(accountKey) {
      await account.delete(accountKey);
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
