/**
 * The AI metrics against an OpenAI-compatible provider (a fake server in this process,
 * reached through the real openai SDK): tokens, cost and time to first token of a streamed
 * reply; then a failing provider whose breaker opens and whose reply falls back offline.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, streamToEnd, type ChatUser } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { scrape, valueOf } from "@companion/metrics/testing";

const TOKEN = "metrics-ai-test-token-0123456789";
const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;
let user: ChatUser;
let companionId: string;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({
    METRICS_TOKEN: TOKEN,
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: "gpt-4o-mini",
    AI_TIMEOUT_MS: "3000",
    AI_DEADLINE_MS: "8000",
    AI_MAX_RETRIES: "0",
    AI_BREAKER_FAILURES: "1",
    AI_BREAKER_COOLDOWN_MS: "600000",
  });
  user = await signUp(t);
  companionId = (await createCompanion(t.database.db)).id;
  await user.api.companions.connect.mutate({ companionId });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

const metrics = () => scrape(`${t.url}/metrics`, TOKEN);

/** One streamed exchange, its background work (sentiment call, call records) included. */
async function exchange() {
  const before = await metrics();
  await streamToEnd(user.api, { companionId, content: "I climbed the hill behind the lighthouse", idempotencyKey: newKey() });
  await t.settle();
  const after = await metrics();
  return { after, delta: (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels) };
}

describe("AI metrics", () => {
  it("a streamed reply: its call, tokens both ways, cost and time to first token, a closed breaker", async () => {
    fake.setBehavior({ mode: "ok", chunkDelayMs: 1 });
    const run = await exchange();
    const openai = { provider: "openai" };
    expect(run.delta("ai_calls_total", { ...openai, purpose: "chat", outcome: "ok" })).toBe(1);
    // Networked, the user's message is classified by the model too, after the reply.
    expect(run.delta("ai_calls_total", { ...openai, purpose: "sentiment", outcome: "ok" })).toBe(1);
    expect(run.delta("ai_time_to_first_token_seconds_count", openai)).toBe(1);
    expect(run.delta("ai_tokens_total", { ...openai, kind: "prompt" })).toBeGreaterThan(0);
    expect(run.delta("ai_tokens_total", { ...openai, kind: "completion" })).toBeGreaterThan(0);
    expect(run.delta("ai_cost_usd_total", openai)).toBeGreaterThan(0);
    expect(run.delta("ai_fallbacks_total")).toBe(0);
    expect(valueOf(run.after, "ai_circuit_breaker_state", { ...openai, state: "closed" })).toBe(1);
    expect(valueOf(run.after, "ai_circuit_breaker_state", { ...openai, state: "open" })).toBe(0);
  });

  it("a failing provider: the failure, the offline fallback, and the breaker open", async () => {
    fake.setBehavior({ mode: "status", status: 500 });
    const run = await exchange();
    expect(run.delta("ai_calls_total", { provider: "openai", purpose: "chat", outcome: "server_error" })).toBe(1);
    expect(run.delta("ai_calls_total", { provider: "offline", purpose: "chat", outcome: "ok" })).toBe(1);
    expect(run.delta("ai_fallbacks_total", { provider: "offline", purpose: "chat" })).toBe(1);
    expect(run.delta("ai_time_to_first_token_seconds_count", { provider: "openai" })).toBe(0);
    expect(valueOf(run.after, "ai_circuit_breaker_state", { provider: "openai", state: "open" })).toBe(1);
    expect(valueOf(run.after, "ai_circuit_breaker_state", { provider: "openai", state: "closed" })).toBe(0);
    // The next request skips the open circuit without a call.
    const skipped = await exchange();
    expect(skipped.delta("ai_calls_total", { provider: "openai", purpose: "chat", outcome: "circuit_open" })).toBe(1);
    expect(skipped.delta("ai_call_duration_seconds_count", { provider: "openai" })).toBe(0);
  });
});
