import { DomainError } from "@companion/errors";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/** Every limit the product enforces. Keys are per user, except the login ones (docs/auth.md#throttling). */
const rateLimitNames = ["storyCreate", "reaction", "chatMessage", "mediaUpload", "loginAccountIp", "loginAccount", "loginIp", "loginDevice", "report", "passwordResetIp", "passwordResetEmail"] as const;
export type RateLimitName = (typeof rateLimitNames)[number];

interface LimitRule {
  points: number;
  durationSec: number;
}

type RateLimitRules = Record<RateLimitName, LimitRule>;

const defaultRateLimitRules: RateLimitRules = {
  storyCreate: { points: 20, durationSec: 60 },
  reaction: { points: 60, durationSec: 60 },
  chatMessage: { points: 30, durationSec: 60 },
  mediaUpload: { points: 30, durationSec: 60 },
  loginAccountIp: { points: 5, durationSec: 900 },
  loginAccount: { points: 100, durationSec: 900 },
  loginIp: { points: 30, durationSec: 900 },
  // moderation.report: a person files a few; a flood is abuse of the queue (docs/moderation.md).
  report: { points: 20, durationSec: 3600 },
  // auth.requestPasswordReset (docs/account.md#password-reset): per client IP, and per email asked for.
  passwordResetIp: { points: 10, durationSec: 900 },
  passwordResetEmail: { points: 3, durationSec: 900 },
  loginDevice: { points: 10, durationSec: 900 },
};

export interface RateLimitsOptions {
  rules?: Partial<RateLimitRules>;
  /** Shares budgets between processes; without it (and without `redis`) each process counts alone. */
  redisUrl?: string | null;
  /** An existing client instead of `redisUrl`; the caller keeps ownership and closes it. */
  redis?: Redis;
  /** Namespace for Redis keys, so deployments (and test runs) sharing a Redis never collide. */
  keyPrefix?: string;
  /** Redis became unreachable: the in-memory insurance limiters are counting now. */
  onStoreDown?: (err: Error) => void;
  onStoreUp?: () => void;
  /** An unexpected limiter failure; the call is let through rather than failed. */
  onLimiterError?: (err: unknown, name: RateLimitName) => void;
}

export interface RateLimits {
  readonly store: "memory" | "redis";
  readonly rules: RateLimitRules;
  /** "ready": counting in Redis; "unavailable": Redis is away and the insurance counts per process. */
  storeStatus(): "memory" | "ready" | "unavailable";
  /** The underlying limiter, for callers with their own semantics (the login throttle). */
  limiter(name: RateLimitName): RateLimiterAbstract;
  /** Spends one point of `name` for `key`; throws DomainError TOO_MANY_REQUESTS with `retryAfterMs` when spent out. */
  consume(name: RateLimitName, key: string): Promise<void>;
  /** Closes the Redis client if these limits created it. */
  close(): Promise<void>;
}

/**
 * The named limiters, in memory or on Redis; on Redis each has an in-memory insurance limiter that takes
 * over while Redis fails: per process then, which beats failing requests or not limiting (docs/rate-limits.md).
 */
export async function createRateLimits(options: RateLimitsOptions = {}): Promise<RateLimits> {
  const rules: RateLimitRules = { ...defaultRateLimitRules, ...options.rules };
  const prefix = options.keyPrefix ?? "companion:rl";
  // ioredis (300 kB of source with its parser) loads only when a Redis URL is set (docs/scaling.md#memory).
  const redis = !options.redis && options.redisUrl ? await import("./redis.ts") : null;
  const owned = redis && options.redisUrl ? redis.createRedisClient(options.redisUrl, { onError: options.onStoreDown, onReady: options.onStoreUp }) : null;
  const client = options.redis ?? owned;

  const build = (name: RateLimitName): RateLimiterAbstract => {
    const { points, durationSec } = rules[name];
    const memory = new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration: durationSec });
    if (!client) return memory;
    return new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration: durationSec,
      insuranceLimiter: memory,
      // Not connected: go straight to the insurance instead of attempting a command.
      rejectIfRedisNotReady: true,
    });
  };
  const limiters = Object.fromEntries(rateLimitNames.map((name) => [name, build(name)])) as Record<RateLimitName, RateLimiterAbstract>;

  return {
    store: client ? "redis" : "memory",
    rules,
    storeStatus: () => (client ? (client.status === "ready" ? "ready" : "unavailable") : "memory"),
    limiter: (name) => limiters[name],
    async consume(name, key) {
      try {
        await limiters[name].consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext);
        // With insurance in place only a bug gets here; a limiter must never turn into a 5xx.
        options.onLimiterError?.(rejection, name);
      }
    },
    close: async () => {
      if (owned && redis) await redis.closeRedisClient(owned);
    },
  };
}

/** The error every limit answers with; the HTTP layer turns `retryAfterMs` into Retry-After. */
function tooManyRequests(msBeforeNext: number): DomainError {
  // A window that just ran out reads as 0 ms; still ask for a positive wait.
  const retryAfterMs = Math.max(1, Math.ceil(msBeforeNext));
  return new DomainError("TOO_MANY_REQUESTS", `Too many requests; try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
}
