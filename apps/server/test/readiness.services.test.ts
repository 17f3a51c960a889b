/**
 * /readyz against the real Postgres and Redis, each behind a TCP proxy the test cuts: the
 * database down is "not ready" (503), Redis down is "degraded" (still 200). S3 down is in
 * media-s3.http.test.ts. No Postgres or Redis: beforeAll fails.
 */
import { openDatabase } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { assertRedisReachable, startTcpProxy, testRedisUrl, uniqueKeyPrefix, waitUntil, type TcpProxy } from "@companion/ratelimit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";

let t: TestServer;
let redisProxy: TcpProxy;
let dbProxy: TcpProxy;

beforeAll(async () => {
  await assertRedisReachable();
  const database = await createTestDatabase();
  if (!database.url) throw new Error("this test needs Postgres (TEST_BACKEND=postgres)");
  dbProxy = await startTcpProxy(database.url);
  // The server's pool goes through the proxy; the test database itself is dropped on stop.
  const pooled = database.env.DB_POOLER === "transaction" ? { pooler: "transaction" as const, directUrl: database.env.DATABASE_DIRECT_URL ?? "" } : {};
  const proxied = await openDatabase({ kind: "postgres", url: dbProxy.url, poolSize: 2, ...pooled });
  const served: TestDatabase = {
    ...proxied,
    url: dbProxy.url,
    env: { ...database.env, DATABASE_URL: dbProxy.url },
    close: async () => {
      await proxied.close();
      await database.close();
    },
  };
  redisProxy = await startTcpProxy(testRedisUrl());
  t = await startTestServer({ REDIS_URL: redisProxy.url, REDIS_KEY_PREFIX: uniqueKeyPrefix("readyz") }, { database: served });
  await waitUntil(() => t.server.runtime.services.rateLimits.storeStatus() === "ready", 5000, "the server's Redis connection");
});
afterAll(async () => {
  await redisProxy.restore().catch(() => {});
  await dbProxy.restore().catch(() => {});
  await t.stop();
  await Promise.all([redisProxy.close(), dbProxy.close()]);
});

async function readyz(): Promise<{ status: number; ms: number; retryAfter: string | null; body: { status: string; dependencies: Record<string, { status: string }> } }> {
  const started = Date.now();
  const res = await fetch(`${t.url}/readyz`);
  return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as never };
}

/** Probes are cached for a second: ask until the answer changes, or fail after `ms`. */
async function readyzUntil(check: (r: Awaited<ReturnType<typeof readyz>>) => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await readyz();
    if (check(r) || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("/readyz with its dependencies", () => {
  it("is ready with the database and Redis up", async () => {
    const r = await readyz();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "ready", dependencies: { database: { status: "up" }, redis: { status: "up" } } });
    expect(r.body.dependencies.s3).toBeUndefined();
  });

  it("stays ready, degraded, while Redis is down", async () => {
    await redisProxy.cut();
    const down = await readyzUntil((r) => r.body.dependencies.redis?.status === "down");
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ status: "degraded", dependencies: { database: { status: "up" }, redis: { status: "down" } } });
    await redisProxy.restore();
    const back = await readyzUntil((r) => r.body.status === "ready");
    expect(back.body.dependencies.redis?.status).toBe("up");
  });

  it("is not ready (503, Retry-After) while the database is down, and ready again when it is back", async () => {
    await dbProxy.cut();
    const down = await readyzUntil((r) => r.status === 503);
    expect(down.status).toBe(503);
    expect(down.retryAfter).toBe("5");
    expect(down.body).toMatchObject({ status: "unavailable", dependencies: { database: { status: "down" }, redis: { status: "up" } } });
    expect(down.ms).toBeLessThan(2000);
    await dbProxy.restore();
    const back = await readyzUntil((r) => r.status === 200, 10_000);
    expect(back.body.status).toBe("ready");
  });
});
