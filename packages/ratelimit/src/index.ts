/**
 * Rate limits for the whole product, on rate-limiter-flexible: named per-key limiters,
 * in memory by default, shared through Redis when configured, with in-memory insurance so
 * losing Redis degrades to per-process limits instead of failing requests (docs/rate-limits.md).
 */
export {
  createRateLimits,
  defaultRateLimitRules,
  rateLimitNames,
  tooManyRequests,
  type LimitRule,
  type RateLimitName,
  type RateLimitRules,
  type RateLimits,
  type RateLimitsOptions,
} from "./limits.ts";
export { closeRedisClient, createRedisClient, type RedisClientOptions } from "./redis.ts";
