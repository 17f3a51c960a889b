import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "./errors.ts";
import { createOpenAIProvider } from "./provider.ts";
import { FAKE_REPLY, type FakeProvider, startFakeProvider } from "./testing/index.ts";
import type { CompletionRequest, StreamChunk } from "./types.ts";

const request: CompletionRequest = { messages: [{ role: "user", content: "hello there" }], maxTokens: 50 };

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error("expected a ProviderError");
}

async function collect(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

async function eventually(check: () => boolean, timeoutMs = 1_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("openai provider over a fake OpenAI server", () => {
  let fp: FakeProvider;
  beforeAll(async () => {
    fp = await startFakeProvider("primary", { timeoutMs: 300 });
  });
  afterAll(() => fp.close());
  beforeEach(() => {
    fp.fake.setBehavior({ mode: "ok" });
    fp.fake.resetCounters();
  });

  it("completes with text and usage, sending our parameters", async () => {
    const result = await fp.provider.complete({ ...request, temperature: 0.5 });
    expect(result.text).toBe(FAKE_REPLY);
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(fp.fake.lastRequestBody).toMatchObject({ model: "gpt-4o-mini", max_tokens: 50, temperature: 0.5 });
  });

  it("streams deltas in order and ends with the server's usage", async () => {
    fp.fake.setBehavior({ mode: "ok", chunkDelayMs: 2 });
    const chunks = await collect(fp.provider.stream(request));
    const deltas = chunks.filter((c) => c.type === "delta").map((c) => c.text);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(FAKE_REPLY);
    expect(chunks.at(-1)).toEqual({ type: "usage", promptTokens: expect.any(Number), completionTokens: deltas.length });
    expect(fp.fake.lastRequestBody).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it.each([
    [429, "rate_limited", true],
    [500, "server_error", true],
    [400, "bad_request", false],
    [401, "error", false],
  ] as const)("classifies HTTP %i as %s", async (status, kind, retryable) => {
    fp.fake.setBehavior({ mode: "status", status });
    const err = await failureOf(fp.provider.complete(request));
    expect(err).toMatchObject({ kind, retryable, provider: "primary" });
    expect(fp.fake.requestCount).toBe(1); // the SDK's own retries are off
  });

  it("times out a slow server at its own timeout, not the SDK's", async () => {
    fp.fake.setBehavior({ mode: "slow", delayMs: 2_000 });
    const started = performance.now();
    const err = await failureOf(fp.provider.complete(request));
    expect(err.kind).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(700);
    await eventually(() => fp.fake.abortedCount === 1);
  });

  it("times out a stream that stalls between chunks", async () => {
    fp.fake.setBehavior({ mode: "ok", stallAfterChunks: 2 });
    const chunks: StreamChunk[] = [];
    const err = await failureOf(
      (async () => {
        for await (const c of fp.provider.stream({ ...request, idleTimeoutMs: 150 })) chunks.push(c);
      })(),
    );
    expect(err.kind).toBe("timeout");
    expect(chunks).toHaveLength(2);
  });

  it("does not count a slow consumer against the idle timeout", async () => {
    fp.fake.setBehavior({ mode: "ok" });
    const chunks: StreamChunk[] = [];
    for await (const c of fp.provider.stream({ ...request, idleTimeoutMs: 100 })) {
      chunks.push(c);
      // Longer than the idle timeout, twice: the timer runs out while paused, then re-arms.
      if (chunks.length <= 2) await new Promise((r) => setTimeout(r, 250));
    }
    expect(chunks.at(-1)?.type).toBe("usage");
    expect(chunks.filter((c) => c.type === "delta").length).toBeGreaterThan(2);
  });

  it("reports a connection cut mid-stream as a retryable server error", async () => {
    fp.fake.setBehavior({ mode: "ok", cutAfterChunks: 2 });
    const err = await failureOf(collect(fp.provider.stream(request)));
    expect(err).toMatchObject({ kind: "server_error", retryable: true });
  });

  it("aborts the HTTP request when the caller's signal fires", async () => {
    fp.fake.setBehavior({ mode: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failureOf(fp.provider.complete({ ...request, signal: controller.signal }));
    expect(err.kind).toBe("aborted");
    await eventually(() => fp.fake.abortedCount === 1);
  });

  it("treats a refused connection as a retryable error", async () => {
    const dead = createOpenAIProvider({ name: "dead", baseURL: "http://127.0.0.1:9/v1", model: "m", timeoutMs: 300, maxRetries: 0 });
    const err = await failureOf(dead.complete(request));
    expect(err).toMatchObject({ kind: "error", retryable: true });
  });
});
