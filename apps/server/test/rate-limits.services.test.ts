/**
 * Rate limits through the real server and packages/client, on the real Redis (TEST_REDIS_URL)
 * behind a TCP proxy that the test cuts to lose Redis mid-test. No Redis: beforeAll fails.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTRPCClientError, type CompanionClient } from "@companion/client";
import { closeRedisClient, createRedisClient } from "@companion/ratelimit/redis";
import { assertRedisReachable, startTcpProxy, testRedisUrl, uniqueKeyPrefix, waitUntil, type TcpProxy } from "@companion/ratelimit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
let proxy: TcpProxy;
let inspector: ReturnType<typeof createRedisClient>;
let mediaDir: string;
const prefix = uniqueKeyPrefix("http");
/** Every HTTP answer the clients of this file saw. */
const responses: Array<{ status: number; retryAfter: string | null }> = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  responses.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
  return res;
};

beforeAll(async () => {
  await assertRedisReachable();
  proxy = await startTcpProxy(testRedisUrl());
  mediaDir = await mkdtemp(join(tmpdir(), "companion-rl-media-"));
  t = await startTestServer({
    REDIS_URL: proxy.url,
    REDIS_KEY_PREFIX: prefix,
    RATE_REACTION_PER_MIN: "3",
    RATE_UPLOAD_PER_MIN: "3",
    RATE_CHAT_PER_MIN: "3",
    LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: "3",
    MEDIA_DIR: mediaDir,
  });
  await waitUntil(() => t.server.runtime.services.rateLimits.storeStatus() === "ready", 5000, "the server's Redis connection");
  inspector = createRedisClient(testRedisUrl());
  await waitUntil(() => inspector.status === "ready", 5000, "the inspector");
});
afterAll(async () => {
  await t.stop();
  await proxy.close();
  await closeRedisClient(inspector);
  await rm(mediaDir, { recursive: true, force: true });
});

async function signUp(name: string): Promise<{ id: string; email: string; api: CompanionClient }> {
  const email = uniqueEmail(name);
  const { api } = t.session({ fetch: recordingFetch });
  const session = await api.auth.register.mutate({ email, password: "password-1234", displayName: name });
  return { id: session.user.id, email, api };
}

/** The tRPC code of a call: "OK" when it succeeded. */
async function codeOf(p: Promise<unknown>): Promise<{ code: string; retryAfterMs: number | null }> {
  try {
    await p;
    return { code: "OK", retryAfterMs: null };
  } catch (err) {
    if (!isTRPCClientError(err)) throw err;
    return { code: err.data?.code ?? "?", retryAfterMs: err.data?.retryAfterMs ?? null };
  }
}

const react = (api: CompanionClient) => api.stories.react.mutate({ mediaId: randomUUID(), emoji: "🔥" });
const upload = (api: CompanionClient) => api.media.createUpload.mutate({ contentType: "image/png", byteSize: 100 });

describe("rate limits over HTTP", () => {
  it("answers TOO_MANY_REQUESTS with retryAfterMs and a Retry-After header, counted in Redis per user", async () => {
    const user = await signUp("reactor");
    // The reaction limit runs before the procedure: unknown media is NOT_FOUND until the budget is spent.
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(await codeOf(react(user.api)));
    expect(codes.map((c) => c.code)).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "TOO_MANY_REQUESTS"]);
    expect(codes[3]?.retryAfterMs).toBeGreaterThan(0);
    expect(codes[3]?.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(Number(await inspector.get(`${prefix}:reaction:user:${user.id}`))).toBe(4);

    // packages/client streams batched results, so its HTTP status is 200 with the wait in
    // `data.retryAfterMs`; a plain (unbatched) HTTP call gets 429 and Retry-After in seconds.
    const session = await user.api.auth.login.mutate({ email: user.email, password: "password-1234" });
    const res = await fetch(`${t.url}/trpc/stories.react`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session.tokens.accessToken}` },
      body: JSON.stringify({ mediaId: randomUUID(), emoji: "🔥" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    // Budgets are per user and per limit.
    const other = await signUp("other");
    expect((await codeOf(react(other.api))).code).toBe("NOT_FOUND");
    expect((await codeOf(upload(user.api))).code).toBe("OK");
  });

  it("limits media.createUpload per user", async () => {
    const user = await signUp("uploader");
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await codeOf(upload(user.api))).code);
    expect(codes).toEqual(["OK", "OK", "OK", "TOO_MANY_REQUESTS"]);
  });

  it("limits chat messages per user, send and start sharing one budget", async () => {
    const user = await signUp("chatter");
    const input = () => ({ companionId: randomUUID(), content: "hi", idempotencyKey: randomUUID() });
    const codes = [(await codeOf(user.api.messages.send.mutate(input()))).code, (await codeOf(user.api.messages.send.mutate(input()))).code];
    codes.push((await codeOf(user.api.messages.start.mutate(input()))).code, (await codeOf(user.api.messages.send.mutate(input()))).code);
    expect(codes).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "TOO_MANY_REQUESTS"]);
  });

  it("losing Redis mid-test: no 5xx, and every limit still holds in this process", async () => {
    const user = await signUp("survivor");
    expect((await codeOf(react(user.api))).code).toBe("NOT_FOUND");
    const before = responses.length;

    await proxy.cut();
    const started = performance.now();
    const reactions = [];
    for (let i = 0; i < 4; i++) reactions.push((await codeOf(react(user.api))).code);
    const uploads = [];
    for (let i = 0; i < 4; i++) uploads.push((await codeOf(upload(user.api))).code);
    const logins = [];
    for (let i = 0; i < 4; i++) logins.push((await codeOf(t.client({ fetch: recordingFetch }).auth.login.mutate({ email: user.email, password: "wrong-password" }))).code);
    const elapsed = performance.now() - started;

    // The insurance limiters start from zero: a full budget in this process, then limited.
    expect(reactions).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "TOO_MANY_REQUESTS"]);
    expect(uploads).toEqual(["OK", "OK", "OK", "TOO_MANY_REQUESTS"]);
    expect(logins).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "TOO_MANY_REQUESTS"]);
    expect(t.server.runtime.services.rateLimits.storeStatus()).toBe("unavailable");
    const during = responses.slice(before);
    expect(during.length).toBeGreaterThanOrEqual(12);
    expect(during.filter((r) => r.status >= 500)).toEqual([]);
    // Twelve calls, none waiting on a dead Redis (argon2 for the logins is most of this).
    expect(elapsed).toBeLessThan(10_000);

    await proxy.restore();
    await waitUntil(() => t.server.runtime.services.rateLimits.storeStatus() === "ready", 10_000, "the server to reconnect");
    const fresh = await signUp("after");
    expect((await codeOf(upload(fresh.api))).code).toBe("OK");
    expect(Number(await inspector.get(`${prefix}:mediaUpload:user:${fresh.id}`))).toBe(1);
  });
});
