/**
 * Per-user rate limits as a procedure step: `protectedProcedure.use(rateLimited("reaction"))`.
 * The limiters live on AppServices (`rateLimits`, built by the server from env); a spent
 * budget answers TOO_MANY_REQUESTS with `data.retryAfterMs` and an HTTP Retry-After header.
 */
import type { RateLimitName } from "@companion/ratelimit";
import { middleware } from "./trpc.ts";

export type { RateLimitName } from "@companion/ratelimit";

/**
 * Spends one point of `name` per call, keyed by the signed-in user (or, on a public
 * procedure, the client IP). Chain it after the auth step so anonymous callers are turned
 * away before they spend anyone's budget.
 */
export const rateLimited = (name: RateLimitName) =>
  middleware(async ({ ctx, next }) => {
    const key = ctx.user ? `user:${ctx.user.id}` : `ip:${ctx.meta.ip ?? "unknown"}`;
    await ctx.services.rateLimits.consume(name, key);
    return next();
  });
