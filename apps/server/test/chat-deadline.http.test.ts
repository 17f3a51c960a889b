/**
 * A provider that never answers still costs the client nothing but time inside the request
 * timeout: the model deadline is derived from REQUEST_TIMEOUT_MS with a margin, so the
 * offline persona's reply reaches the client before the HTTP request is cut.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelDeadlineFor, parseEnv } from "../src/env.ts";
import { createCompanion, newKey, signUp, storedMessages } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const REQUEST_TIMEOUT_MS = 4_000;
const fake = createFakeOpenAIServer({ mode: "hang" });
let t: TestServer;
let closeFake: () => Promise<void>;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  // AI_DEADLINE_MS and AI_TIMEOUT_MS stay at their defaults (30 s, 20 s): longer than the request.
  t = await startTestServer({
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    SSE_KEEPALIVE_MS: "2000",
  });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

describe("a provider that never answers", () => {
  it("send answers offline inside REQUEST_TIMEOUT_MS, and the client gets that reply", async () => {
    const user = await signUp(t);
    const companion = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId: companion.id });

    const started = Date.now();
    const exchange = await user.api.messages.send.mutate({ companionId: companion.id, content: "Are you there?", idempotencyKey: newKey() });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(exchange.reply).toMatchObject({ role: "assistant", status: "complete" });
    expect(exchange.reply.content.length).toBeGreaterThan(0);
    const rows = await storedMessages(t.database.db, user.id, companion.id);
    expect(rows.map((r) => [r.role, r.provider])).toEqual([
      ["user", null],
      ["assistant", "offline"],
    ]);
  });

  it("derives the deadline from the request timeout: AI_DEADLINE_MS may lower it, never raise it", () => {
    expect(modelDeadlineFor(30_000)).toBe(25_000);
    expect(modelDeadlineFor(4_000)).toBe(2_000);
    expect(modelDeadlineFor(120_000)).toBe(115_000);
    const base = { JWT_SECRET: "x".repeat(43) };
    expect(parseEnv(base).ai.deadlineMs).toBe(25_000);
    expect(parseEnv({ ...base, AI_DEADLINE_MS: "60000" }).ai.deadlineMs).toBe(25_000);
    expect(parseEnv({ ...base, AI_DEADLINE_MS: "8000" }).ai.deadlineMs).toBe(8_000);
    expect(parseEnv({ ...base, REQUEST_TIMEOUT_MS: "90000", AI_DEADLINE_MS: "60000" }).ai.deadlineMs).toBe(60_000);
  });
});
