import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChatChain } from "./chain.ts";
import { ProviderError } from "./errors.ts";
import { loadNlp } from "./nlp.ts";
import { createOfflinePersona } from "./offline.ts";
import { FAKE_REPLY, type FakeBehavior, type FakeProvider, startFakeProvider } from "./testing/index.ts";
import type { CallRecord, ChainRequest } from "./index.ts";

const request: ChainRequest = {
  messages: [{ role: "user", content: "tell me about your garden" }],
  maxTokens: 60,
  persona: { name: "Mira", traits: ["curious"], mood: "joyful" },
};

// Per attempt 300 ms, one retry, 1.5 s for the whole call: every failure must still answer in time.
const TIMEOUT_MS = 300;
const DEADLINE_MS = 1_500;

// The offline persona's compromise, loaded up front: the chain starts loading it with the first
// exchange, and that synchronous load (0.1-0.3 s) would eat into these tests' 300 ms attempts.
beforeAll(() => loadNlp());

describe("chat chain: complete", () => {
  let primary: FakeProvider;
  let secondary: FakeProvider;
  beforeAll(async () => {
    primary = await startFakeProvider("primary", { timeoutMs: TIMEOUT_MS, maxRetries: 1 });
    secondary = await startFakeProvider("secondary", { timeoutMs: TIMEOUT_MS, maxRetries: 1, model: "llama3" });
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
  });
  beforeEach(() => {
    for (const p of [primary, secondary]) {
      p.fake.setBehavior({ mode: "ok" });
      p.fake.resetCounters();
    }
  });

  const makeChain = (calls: CallRecord[], now?: () => number) =>
    createChatChain({
      providers: [primary.provider, secondary.provider],
      offline: createOfflinePersona({ seed: 7 }),
      onCall: (record) => {
        calls.push(record);
      },
      budget: { deadlineMs: DEADLINE_MS, baseBackoffMs: 20, maxBackoffMs: 50 },
      breaker: { failureThreshold: 2, cooldownMs: 1_000, ...(now ? { now } : {}) },
    });

  it("answers from the first provider and records cost", async () => {
    const calls: CallRecord[] = [];
    const result = await makeChain(calls).complete(request);
    expect(result).toMatchObject({ text: FAKE_REPLY, provider: "primary", model: "gpt-4o-mini" });
    expect(calls).toEqual([
      expect.objectContaining({ provider: "primary", purpose: "chat", outcome: "ok", costUsd: expect.any(Number) }),
    ]);
    expect(calls[0]!.costUsd).toBeGreaterThan(0);
    expect(secondary.fake.requestCount).toBe(0);
  });

  it("copies a request's tag into the record of each of its attempts, on complete and stream", async () => {
    primary.fake.setBehavior({ mode: "status", status: 500 });
    const calls: CallRecord[] = [];
    const chain = makeChain(calls);
    const tag = { user: "u1" };
    await chain.complete({ ...request, tag });
    expect(calls.map((c) => [c.provider, c.tag])).toEqual([
      ["primary", tag],
      ["primary", tag],
      ["secondary", tag],
    ]);
    // Never sent to a provider.
    expect(JSON.stringify(secondary.fake.lastRequestBody)).not.toContain("u1");
    calls.length = 0;
    const other = { user: "u2" };
    for await (const event of chain.stream({ ...request, tag: other })) void event;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.tag === other)).toBe(true);
    // Untagged requests' records have none.
    calls.length = 0;
    primary.fake.setBehavior({ mode: "ok" });
    await chain.complete(request);
    expect(calls[0]).not.toHaveProperty("tag");
  });

  const failures: [string, FakeBehavior, CallRecord["outcome"], number][] = [
    ["slow beyond the timeout", { mode: "slow", delayMs: 2_000 }, "timeout", 2],
    ["hanging", { mode: "hang" }, "timeout", 2],
    ["rate limited", { mode: "status", status: 429 }, "rate_limited", 2],
    ["failing with 500", { mode: "status", status: 500 }, "server_error", 2],
    ["rejecting with 400", { mode: "status", status: 400 }, "bad_request", 1],
  ];

  it.each(failures)("falls back when the primary is %s", async (_label, behavior, outcome, attempts) => {
    primary.fake.setBehavior(behavior);
    const calls: CallRecord[] = [];
    const started = performance.now();
    const result = await makeChain(calls).complete(request);
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
    expect(result).toMatchObject({ text: FAKE_REPLY, provider: "secondary", model: "llama3" });
    // Retryable kinds get one retry, a 400 none; every attempt is recorded.
    expect(primary.fake.requestCount).toBe(attempts);
    expect(calls.map((c) => [c.provider, c.outcome])).toEqual([
      ...Array.from({ length: attempts }, () => ["primary", outcome]),
      ["secondary", "ok"],
    ]);
    // Unknown model: no price, no guess.
    expect(calls.at(-1)?.costUsd).toBe(0);
  });

  it("marks every attempt after the first failure as a fallback, the offline answer included", async () => {
    primary.fake.setBehavior({ mode: "status", status: 500 });
    secondary.fake.setBehavior({ mode: "status", status: 400 });
    const calls: CallRecord[] = [];
    const chain = makeChain(calls);
    expect(chain.providers).toEqual(["primary", "secondary"]);
    await chain.complete(request);
    expect(calls.map((c) => [c.provider, c.outcome, c.fallback ?? false])).toEqual([
      ["primary", "server_error", false],
      ["primary", "server_error", true],
      ["secondary", "bad_request", true],
      ["offline", "ok", true],
    ]);
    // complete() streams nothing: no time to first token.
    expect(calls.some((c) => "firstTokenMs" in c)).toBe(false);
  });

  it("answers offline, in character, when every provider fails, within the deadline", async () => {
    primary.fake.setBehavior({ mode: "hang" });
    secondary.fake.setBehavior({ mode: "status", status: 500 });
    const calls: CallRecord[] = [];
    const started = performance.now();
    const result = await makeChain(calls).complete(request);
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS + 100);
    expect(result).toMatchObject({ provider: "offline", model: "persona-fallback", usage: { promptTokens: 0, completionTokens: 0 } });
    expect(result.text).toMatch(/garden/i);
    expect(calls.at(-1)).toMatchObject({ provider: "offline", outcome: "ok", costUsd: 0 });
    expect(calls.filter((c) => c.provider === "secondary").every((c) => c.outcome === "server_error")).toBe(true);
  });

  it("gives up on the network at the deadline even when attempts could go on", async () => {
    primary.fake.setBehavior({ mode: "hang" });
    secondary.fake.setBehavior({ mode: "hang" });
    const chain = createChatChain({
      providers: [primary.provider, secondary.provider],
      offline: createOfflinePersona({ seed: 1 }),
      budget: { deadlineMs: 400, baseBackoffMs: 10, maxBackoffMs: 10 },
    });
    const started = performance.now();
    const result = await chain.complete(request);
    expect(result.provider).toBe("offline");
    expect(performance.now() - started).toBeLessThan(550);
  });

  it("throws instead of answering offline for non-chat purposes", async () => {
    primary.fake.setBehavior({ mode: "status", status: 400 });
    secondary.fake.setBehavior({ mode: "status", status: 400 });
    await expect(makeChain([]).complete({ ...request, purpose: "summary" })).rejects.toMatchObject({ kind: "bad_request" });
  });

  it("rejects with aborted, and aborts upstream, when the caller aborts", async () => {
    primary.fake.setBehavior({ mode: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const calls: CallRecord[] = [];
    const started = performance.now();
    const err: unknown = await makeChain(calls).complete({ ...request, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: "aborted" });
    expect(performance.now() - started).toBeLessThan(200);
    expect(secondary.fake.requestCount).toBe(0);
    expect(calls).toEqual([expect.objectContaining({ provider: "primary", outcome: "aborted" })]);
    await expect.poll(() => primary.fake.abortedCount).toBe(1);
  });

  it("an open breaker sends zero requests; a half-open probe closes it on success", async () => {
    let clock = 0;
    const calls: CallRecord[] = [];
    const chain = makeChain(calls, () => clock);
    primary.fake.setBehavior({ mode: "status", status: 500 });

    // Two calls × two attempts: the threshold (2) is reached during the first call.
    await chain.complete(request);
    expect(chain.breakerState("primary")).toBe("open");
    const sentWhileClosed = primary.fake.requestCount;
    expect(sentWhileClosed).toBe(2);

    calls.length = 0;
    for (let i = 0; i < 3; i++) {
      const result = await chain.complete(request);
      expect(result.provider).toBe("secondary");
    }
    expect(primary.fake.requestCount).toBe(sentWhileClosed);
    expect(calls.filter((c) => c.provider === "primary").map((c) => c.outcome)).toEqual([
      "circuit_open",
      "circuit_open",
      "circuit_open",
    ]);

    clock += 1_000;
    primary.fake.setBehavior({ mode: "ok" });
    const probe = await chain.complete(request);
    expect(probe.provider).toBe("primary");
    expect(primary.fake.requestCount).toBe(sentWhileClosed + 1);
    expect(chain.breakerState("primary")).toBe("closed");
  });

  it("a failed half-open probe re-opens the breaker without a retry", async () => {
    let clock = 0;
    const chain = makeChain([], () => clock);
    primary.fake.setBehavior({ mode: "status", status: 500 });
    await chain.complete(request);
    expect(chain.breakerState("primary")).toBe("open");
    const before = primary.fake.requestCount;

    clock += 1_000;
    await chain.complete(request);
    // Exactly one probe went out; its failure opened the circuit again, so the retry was refused.
    expect(primary.fake.requestCount).toBe(before + 1);
    expect(chain.breakerState("primary")).toBe("open");
  });

  it("is offline-only with no providers", async () => {
    const chain = createChatChain({ providers: [], offline: createOfflinePersona({ seed: 3 }) });
    const result = await chain.complete(request);
    expect(result.provider).toBe("offline");
    expect(result.text.length).toBeGreaterThan(0);
  });
});
