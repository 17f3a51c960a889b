/**
 * Rate limits for the whole product, on rate-limiter-flexible: named per-key limiters,
 * in memory by default, shared through Redis when configured, with in-memory insurance so
 * losing Redis degrades to per-process limits instead of failing requests (docs/rate-limits.md).
 */
export { createRateLimits, type RateLimitName, type RateLimits } from "./limits.ts";
// The Redis client is `@companion/ratelimit/redis`: ioredis loads only where a Redis URL is set.
