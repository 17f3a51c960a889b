/**
 * Automatic memory and the rolling summary on the embedded default, with no model configured:
 * the offline extractor and the extractive summary do the work, through the same jobs.
 */
import { insertMessage } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsOf, createCompanion, newKey, signUp, type ChatUser } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

async function connected(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const { id: companionId } = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId });
  return { user, companionId };
}

async function say(user: ChatUser, companionId: string, content: string) {
  const exchange = await user.api.messages.send.mutate({ companionId, content, idempotencyKey: newKey() });
  await t.settle();
  return exchange;
}

describe("automatic memory offline", () => {
  it("the same fact said twice is one memory; said differently, that memory is updated", async () => {
    const { user, companionId } = await connected();
    await say(user, companionId, "hey there, my name is Sam.");
    await say(user, companionId, "did I say my name is Sam? it is.");
    const [first, ...rest] = (await user.api.memories.list.query({ companionId, limit: 10 })).items;
    expect(rest).toEqual([]);
    // The wording is the offline extractor's (packages/ai/src/facts.ts); the name is what matters here.
    expect(first).toMatchObject({ source: "auto", pinned: false });
    expect(first?.content).toContain("Sam");

    await say(user, companionId, "actually my name is Alex.");
    const after = (await user.api.memories.list.query({ companionId, limit: 10 })).items;
    expect(after.map((m) => m.id)).toEqual([first!.id]);
    expect(after[0]?.content).toContain("Alex");
    expect(after[0]?.content).not.toContain("Sam");
    // No model was asked.
    expect((await callsOf(t.database.db, user.id)).filter((c) => c.purpose === "memory")).toEqual([]);
  });

  it("a long conversation gets an extractive summary of its oldest turns", async () => {
    const { user, companionId } = await connected();
    const start = Date.now() - 3_600_000;
    for (let i = 0; i < 40; i++) {
      const role = i % 2 === 0 ? "user" : "assistant";
      const content = role === "user" ? `On day ${i} I walked the long coastal path to the old harbour.` : `reply ${i}`;
      await insertMessage(t.database.db, { userId: user.id, companionId, role, content, createdAt: new Date(start + i * 1000) });
    }
    await say(user, companionId, "hello");
    const summary = await user.api.memories.summary.query({ companionId });
    expect(summary).toMatchObject({ version: 1, method: "extractive", messageCount: 27 });
    expect(summary?.content).toContain("coastal path");
    expect(summary!.content.length).toBeLessThanOrEqual(1200);
  });
});
