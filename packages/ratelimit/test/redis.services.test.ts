/**
 * Rate limits on the real Redis (TEST_REDIS_URL, default 127.0.0.1:6379). Without a reachable
 * Redis these tests fail in beforeAll; they never skip. Each run uses its own key prefix.
 */
import { createLoginThrottle } from "@companion/auth";
import { DomainError } from "@companion/errors";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRateLimits, type RateLimits } from "../src/index.ts";
import { closeRedisClient, createRedisClient } from "../src/redis.ts";
import { assertRedisReachable, closedPort, startTcpProxy, testRedisUrl, uniqueKeyPrefix, waitUntil, type TcpProxy } from "../src/testing.ts";

const rules = { reaction: { points: 5, durationSec: 60 } };
const cleanup: Array<() => Promise<void>> = [];
let inspector: Redis;

beforeAll(async () => {
  await assertRedisReachable();
  inspector = createRedisClient(testRedisUrl());
  await waitUntil(() => inspector.status === "ready", 5000, "the inspector client");
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await closeRedisClient(inspector);
});

/** One "server process": its own Redis client and its own limiters (and insurance). */
async function processOn(url: string, keyPrefix: string): Promise<{ limits: RateLimits; client: Redis }> {
  const client = createRedisClient(url, { commandTimeoutMs: 300 });
  cleanup.push(() => closeRedisClient(client));
  await waitUntil(() => client.status === "ready", 5000, "redis ready");
  return { limits: await createRateLimits({ redis: client, keyPrefix, rules }), client };
}

/** Consumes once; "ok", "limited" (with the DomainError checked) or rethrows anything else. */
async function hit(limits: RateLimits, key: string): Promise<"ok" | "limited"> {
  try {
    await limits.consume("reaction", key);
    return "ok";
  } catch (err) {
    if (err instanceof DomainError && err.code === "TOO_MANY_REQUESTS") {
      expect(err.details?.retryAfterMs).toBeGreaterThan(0);
      expect(err.details?.retryAfterMs).toBeLessThanOrEqual(60_000);
      return "limited";
    }
    throw err;
  }
}

const hits = async (limits: RateLimits, key: string, n: number) => {
  const out: Array<"ok" | "limited"> = [];
  for (let i = 0; i < n; i++) out.push(await hit(limits, key));
  return out;
};

describe("rate limits on Redis", () => {
  it("two processes sharing Redis spend one budget", async () => {
    const prefix = uniqueKeyPrefix("shared");
    const a = await processOn(testRedisUrl(), prefix);
    const b = await processOn(testRedisUrl(), prefix);
    expect(a.limits.store).toBe("redis");

    expect(await hits(a.limits, "user-1", 3)).toEqual(["ok", "ok", "ok"]);
    expect(await hits(b.limits, "user-1", 3)).toEqual(["ok", "ok", "limited"]);
    expect(await hit(a.limits, "user-1")).toBe("limited");
    // Another key has its own budget.
    expect(await hit(b.limits, "user-2")).toBe("ok");
    // The count lives in Redis, under this run's prefix, with the window as its TTL.
    expect(Number(await inspector.get(`${prefix}:reaction:user-1`))).toBeGreaterThanOrEqual(6);
    expect(await inspector.pttl(`${prefix}:reaction:user-1`)).toBeGreaterThan(50_000);
  });

  it("losing Redis mid-test: no errors escape, each process still enforces the limit, and sharing resumes", async () => {
    const proxy: TcpProxy = await startTcpProxy();
    cleanup.push(() => proxy.close());
    const prefix = uniqueKeyPrefix("loss");
    const a = await processOn(proxy.url, prefix);
    const b = await processOn(proxy.url, prefix);
    expect(await hits(a.limits, "u", 2)).toEqual(["ok", "ok"]);
    expect(await hits(b.limits, "u", 2)).toEqual(["ok", "ok"]);

    await proxy.cut();
    // Each process now counts alone, in its insurance limiter: a full budget each, then limited.
    const started = performance.now();
    const during = [await hits(a.limits, "u", 6), await hits(b.limits, "u", 6)];
    const elapsed = performance.now() - started;
    expect(during).toEqual([
      ["ok", "ok", "ok", "ok", "ok", "limited"],
      ["ok", "ok", "ok", "ok", "ok", "limited"],
    ]);
    // A dead Redis costs milliseconds per call, not a connect or command timeout each.
    expect(elapsed).toBeLessThan(1500);
    expect(a.client.status).not.toBe("ready");

    await proxy.restore();
    await waitUntil(() => a.client.status === "ready" && b.client.status === "ready", 10_000, "reconnect");
    // Back on the shared count: 4 of 5 were spent in Redis before the cut.
    expect(await hit(a.limits, "u")).toBe("ok");
    expect(await hit(b.limits, "u")).toBe("limited");
  });

  it("a Redis URL on a closed port from the start still limits, fast", async () => {
    const limits = await createRateLimits({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, keyPrefix: uniqueKeyPrefix("closed"), rules });
    cleanup.push(() => limits.close());
    expect(limits.store).toBe("redis");
    const started = performance.now();
    expect(await hits(limits, "u", 6)).toEqual(["ok", "ok", "ok", "ok", "ok", "limited"]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("without Redis the limits are in memory", async () => {
    const limits = await createRateLimits({ rules });
    expect(limits.store).toBe("memory");
    expect(await hits(limits, "u", 6)).toEqual(["ok", "ok", "ok", "ok", "ok", "limited"]);
  });

  it("the login throttle on Redis limiters blocks an account across processes", async () => {
    const prefix = uniqueKeyPrefix("login");
    const throttles = await Promise.all(
      [0, 1].map(async () => {
        const { limits } = await processOn(testRedisUrl(), prefix);
        return createLoginThrottle({
          limiters: {
            accountIp: limits.limiter("loginAccountIp"),
            account: limits.limiter("loginAccount"),
            ip: limits.limiter("loginIp"),
            device: limits.limiter("loginDevice"),
          },
        });
      }),
    );
    const [a, b] = throttles as [(typeof throttles)[0], (typeof throttles)[0]];
    const attempt = { account: "acct", ip: "10.0.0.1" };
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).recordFailure(attempt);
    const err = await b.check(attempt).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("TOO_MANY_REQUESTS");
    await a.recordSuccess(attempt);
    await expect(b.check(attempt)).resolves.toBeUndefined();
  });
});
