import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChatChain } from "./chain.ts";
import type { ChainStreamEvent, ChainStreamRequest } from "./chain-types.ts";
import { loadNlp } from "./nlp.ts";
import { createOfflinePersona } from "./offline.ts";
import { FAKE_REPLY, type FakeProvider, startFakeProvider } from "./testing/index.ts";
import type { CallRecord } from "./types.ts";

const request: ChainStreamRequest = {
  messages: [{ role: "user", content: "what about pancakes tonight?" }],
  maxTokens: 60,
  persona: { name: "Mira", traits: ["playful"], mood: "excited" },
};
const DEADLINE_MS = 1_500;

const tokensOf = (events: ChainStreamEvent[]) =>
  events.flatMap((e) => (e.type === "token" ? [e.text] : []));

// The offline persona's compromise, loaded up front: the chain starts loading it with the first
// exchange, and that synchronous load (0.1-0.3 s) would eat into these tests' 300 ms attempts.
beforeAll(() => loadNlp());

describe("chat chain: stream", () => {
  let primary: FakeProvider;
  let secondary: FakeProvider;
  let calls: CallRecord[];
  beforeAll(async () => {
    primary = await startFakeProvider("primary", { timeoutMs: 300 });
    secondary = await startFakeProvider("secondary", { timeoutMs: 300 });
  });
  afterAll(async () => {
    await primary.close();
    await secondary.close();
  });
  beforeEach(() => {
    calls = [];
    for (const p of [primary, secondary]) {
      p.fake.setBehavior({ mode: "ok" });
      p.fake.resetCounters();
    }
  });

  const makeChain = () =>
    createChatChain({
      providers: [primary.provider, secondary.provider],
      offline: createOfflinePersona({ seed: 11 }),
      onCall: (record) => {
        calls.push(record);
      },
      budget: { deadlineMs: DEADLINE_MS, baseBackoffMs: 10, maxBackoffMs: 20 },
    });

  async function run(signal?: AbortSignal, onEvent?: (e: ChainStreamEvent, all: ChainStreamEvent[]) => void) {
    const events: ChainStreamEvent[] = [];
    for await (const event of makeChain().stream(request, signal)) {
      events.push(event);
      onEvent?.(event, events);
    }
    return events;
  }

  it("yields tokens in order, then done with the server's usage", async () => {
    primary.fake.setBehavior({ mode: "ok", chunkDelayMs: 2 });
    const events = await run();
    const tokens = tokensOf(events);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join("")).toBe(FAKE_REPLY);
    expect(events.slice(0, tokens.length).every((e) => e.type === "token")).toBe(true);
    expect(events.at(-1)).toEqual({
      type: "done",
      text: FAKE_REPLY,
      provider: "primary",
      model: "gpt-4o-mini",
      usage: { promptTokens: expect.any(Number), completionTokens: tokens.length },
    });
    expect(calls).toEqual([expect.objectContaining({ provider: "primary", outcome: "ok" })]);
  });

  it("switches provider when the stream is cut halfway, telling the client to discard", async () => {
    primary.fake.setBehavior({ mode: "ok", cutAfterChunks: 3 });
    const started = performance.now();
    const events = await run();
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
    const fallbackAt = events.findIndex((e) => e.type === "fallback");
    expect(tokensOf(events.slice(0, fallbackAt))).toHaveLength(3);
    expect(events[fallbackAt]).toEqual({
      type: "fallback",
      from: "primary",
      to: "secondary",
      reason: "server_error",
      discardPartial: true,
    });
    expect(tokensOf(events.slice(fallbackAt)).join("")).toBe(FAKE_REPLY);
    expect(events.at(-1)).toMatchObject({ type: "done", provider: "secondary", text: FAKE_REPLY });
    // The cut attempt streamed tokens, so its (estimated) usage is recorded for cost.
    expect(calls[0]).toMatchObject({ provider: "primary", outcome: "server_error", completionTokens: expect.any(Number) });
    expect(calls[0]!.completionTokens).toBeGreaterThan(0);
    expect(calls[1]).toMatchObject({ provider: "secondary", outcome: "ok" });
  });

  it("records each attempt's time to first token, and marks the attempts after a failure as fallbacks", async () => {
    primary.fake.setBehavior({ mode: "ok", cutAfterChunks: 2, delayMs: 40 });
    secondary.fake.setBehavior({ mode: "ok", cutAfterChunks: 1 });
    await run();
    expect(calls.map((c) => [c.provider, c.outcome, c.fallback ?? false])).toEqual([
      ["primary", "server_error", false],
      ["secondary", "server_error", true],
      ["offline", "ok", true],
    ]);
    expect(calls[0]!.firstTokenMs).toBeGreaterThanOrEqual(35);
    expect(calls[0]!.firstTokenMs).toBeLessThanOrEqual(calls[0]!.latencyMs);
    for (const call of calls) expect(call.firstTokenMs).toEqual(expect.any(Number));
  });

  it("records no time to first token for an attempt that produced none", async () => {
    primary.fake.setBehavior({ mode: "status", status: 500 });
    await run();
    expect(calls[0]).toMatchObject({ provider: "primary", outcome: "server_error" });
    expect(calls[0]).not.toHaveProperty("firstTokenMs");
    expect(calls[0]).not.toHaveProperty("fallback");
  });

  it("times out a stalled stream and falls back within the budget", async () => {
    primary.fake.setBehavior({ mode: "ok", stallAfterChunks: 2 });
    const started = performance.now();
    const events = await run();
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
    expect(events.find((e) => e.type === "fallback")).toMatchObject({ reason: "timeout", discardPartial: true });
    expect(events.at(-1)).toMatchObject({ type: "done", provider: "secondary" });
  });

  it.each([
    ["hang", { mode: "hang" as const }, "timeout"],
    ["429", { mode: "status" as const, status: 429 }, "rate_limited"],
    ["500", { mode: "status" as const, status: 500 }, "server_error"],
  ])("falls back before any token when the primary answers %s", async (_label, behavior, reason) => {
    primary.fake.setBehavior(behavior);
    const events = await run();
    expect(events[0]).toEqual({ type: "fallback", from: "primary", to: "secondary", reason, discardPartial: false });
    expect(calls.map((c) => c.outcome)).toEqual([reason, "ok"]);
  });

  it("streams the offline persona when every provider fails", async () => {
    primary.fake.setBehavior({ mode: "status", status: 500 });
    secondary.fake.setBehavior({ mode: "ok", cutAfterChunks: 1 });
    const events = await run();
    const last = events.at(-1);
    expect(events.filter((e) => e.type === "fallback").map((e) => e.type === "fallback" && e.to)).toEqual(["secondary", "offline"]);
    expect(last).toMatchObject({ type: "done", provider: "offline", model: "persona-fallback" });
    const offlineTokens = tokensOf(events.slice(events.findIndex((e) => e.type === "fallback" && e.to === "offline")));
    expect(offlineTokens.length).toBeGreaterThan(1);
    expect(last?.type === "done" && last.text).toBe(offlineTokens.join(""));
    expect(offlineTokens.join("")).toMatch(/pancakes/i);
  });

  it("aborting mid-stream aborts upstream and ends with the partial text", async () => {
    primary.fake.setBehavior({ mode: "ok", chunkDelayMs: 40 });
    const controller = new AbortController();
    const events = await run(controller.signal, (_e, all) => {
      if (tokensOf(all).length === 2) controller.abort();
    });
    const tokens = tokensOf(events);
    expect(tokens).toHaveLength(2);
    expect(events.at(-1)).toEqual({ type: "aborted", text: tokens.join("") });
    await expect.poll(() => primary.fake.abortedCount).toBe(1);
    expect(secondary.fake.requestCount).toBe(0);
    expect(calls).toEqual([expect.objectContaining({ provider: "primary", outcome: "aborted" })]);
  });

  it("a consumer that stops iterating also aborts upstream, and the attempt is recorded", async () => {
    primary.fake.setBehavior({ mode: "ok", chunkDelayMs: 40 });
    const chain = makeChain();
    let seen = 0;
    for await (const event of chain.stream(request)) {
      if (event.type === "token" && ++seen === 2) break;
    }
    await expect.poll(() => primary.fake.abortedCount).toBe(1);
    expect(calls).toEqual([expect.objectContaining({ provider: "primary", outcome: "aborted" })]);
    // A user leaving is no verdict on the provider.
    expect(chain.breakerState("primary")).toBe("closed");
  });

  it("an already-aborted signal yields aborted without any request", async () => {
    const events = await run(AbortSignal.abort());
    expect(events).toEqual([{ type: "aborted", text: "" }]);
    expect(primary.fake.requestCount).toBe(0);
  });
});
