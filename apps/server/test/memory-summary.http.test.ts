/**
 * Long conversations keep their beginning: once more turns are unfolded than the prompt keeps,
 * the memory.summarize job folds the oldest into a new version of the rolling summary, which the
 * prompt carries ("Earlier in this conversation: …") with the person's "about me".
 */
import { createFakeOpenAIServer, type FakeRequest } from "@companion/ai/testing";
import { insertMessage } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callsOf, createCompanion, newKey, signUp, type ChatUser } from "./chat-fixtures.ts";
import { failureOf } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

const isSummaryRequest = (r: FakeRequest) => r.messages[0]?.content.includes("running summary of a long conversation") === true;

/** A summarizer that says how many turns it was given and whether it had a previous version. */
function summaryModel(r: FakeRequest): string | undefined {
  if (!isSummaryRequest(r)) return undefined;
  const input = r.messages[1]?.content ?? "";
  const turns = (input.match(/^(Person|Companion): /gm) ?? []).length;
  const previous = /Previous summary:\n(.*)\n\nNew turns/s.exec(input)?.[1] ?? "(none)";
  return `Folded ${turns} turns after [${previous}]; Wren keeps a lighthouse.`;
}

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "10000" });
  fake.setBehavior({ mode: "ok", replyFor: summaryModel });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

interface ChatBody {
  messages: { role: string; content: string }[];
  response_format?: unknown;
}

/** The chat requests the fake received (no response format: not sentiment, extraction or summary). */
const chatRequests = () =>
  (fake.requestBodies as ChatBody[]).filter((b) => b.response_format === undefined && b.messages?.[0]?.content.startsWith("You are"));

/**
 * `count` turns written straight to the database, alternating, `stepMs` apart from `start`
 * (1 ms apart from now: after every message so far, and before the next one sent).
 */
async function insertTurns(user: ChatUser, companionId: string, from: number, count: number, start = Date.now(), stepMs = 1) {
  for (let i = 0; i < count; i++) {
    await insertMessage(t.database.db, {
      userId: user.id,
      companionId,
      role: i % 2 === 0 ? "user" : "assistant",
      content: `old turn ${from + i}.`,
      createdAt: new Date(start + i * stepMs),
    });
  }
}

describe("the rolling summary", () => {
  it("folds the oldest turns into version 1, then 2; the prompt carries the latest and the about-me", async () => {
    const user = await signUp(t);
    const { id: companionId } = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId });
    await user.api.settings.update.mutate({ aboutMe: "I am Wren, I keep the lighthouse at Fairhaven." });
    expect(await user.api.memories.summary.query({ companionId })).toBeNull();

    await insertTurns(user, companionId, 0, 40, Date.now() - 3_600_000, 1000);
    await user.api.messages.send.mutate({ companionId, content: "hello again", idempotencyKey: newKey() });
    await t.settle();
    const v1 = await user.api.memories.summary.query({ companionId });
    // 42 turns (40 + this exchange): all but the newest 15 are folded.
    expect(v1).toMatchObject({ version: 1, messageCount: 27, method: "model", content: "Folded 27 turns after [(none)]; Wren keeps a lighthouse." });

    await user.api.messages.send.mutate({ companionId, content: "what do you remember?", idempotencyKey: newKey() });
    await t.settle();
    const prompt = chatRequests().at(-1);
    const system = prompt?.messages[0]?.content ?? "";
    expect(system).toContain(`Earlier in this conversation: ${v1?.content}`);
    expect(system).toContain("About the person (they wrote this themselves): I am Wren, I keep the lighthouse at Fairhaven.");
    const history = prompt?.messages.slice(1).map((m) => m.content) ?? [];
    // The history starts right after what the summary covers: turn 27 is the first unfolded one.
    expect(history).not.toContain("old turn 26.");
    expect(history[0]).toBe("old turn 27.");
    expect(history.at(-1)).toBe("what do you remember?");

    await insertTurns(user, companionId, 100, 30);
    await user.api.messages.send.mutate({ companionId, content: "and now?", idempotencyKey: newKey() });
    await t.settle();
    const v2 = await user.api.memories.summary.query({ companionId });
    expect(v2?.version).toBe(2);
    expect(v2?.content).toContain(`after [${v1?.content}]`);
    expect(v2!.messageCount).toBeGreaterThan(27);
    expect(new Date(v2!.coversUntil).getTime()).toBeGreaterThan(new Date(v1!.coversUntil).getTime());

    const page1 = await user.api.memories.summaries.query({ companionId, limit: 1 });
    expect(page1.items.map((s) => s.version)).toEqual([2]);
    const page2 = await user.api.memories.summaries.query({ companionId, limit: 1, cursor: page1.nextCursor! });
    expect(page2.items.map((s) => s.version)).toEqual([1]);
    expect(page2.nextCursor).toBeNull();
    expect((await callsOf(t.database.db, user.id)).filter((c) => c.purpose === "summary").map((c) => c.outcome)).toEqual(["ok", "ok"]);

    // Another person sees none of it, and a companion they may not see is NOT_FOUND for them.
    const other = await signUp(t, "Other");
    expect((await failureOf(other.api.memories.summary.query({ companionId: "00000000-0000-4000-8000-000000000000" }))).code).toBe("NOT_FOUND");
    expect(await other.api.memories.summary.query({ companionId })).toBeNull();
    expect((await other.api.memories.summaries.query({ companionId, limit: 5 })).items).toEqual([]);
  });

  it("a short conversation is never summarized, and running the job again adds no version", async () => {
    const user = await signUp(t);
    const { id: companionId } = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId });
    await user.api.messages.send.mutate({ companionId, content: "hi", idempotencyKey: newKey() });
    await t.settle();
    await t.server.runtime.jobs.send("memory.summarize", { userId: user.id, companionId });
    await t.settle();
    expect(await user.api.memories.summary.query({ companionId })).toBeNull();

    await insertTurns(user, companionId, 0, 40);
    await t.server.runtime.jobs.send("memory.summarize", { userId: user.id, companionId });
    await t.settle();
    await t.server.runtime.jobs.send("memory.summarize", { userId: user.id, companionId });
    await t.settle();
    expect((await user.api.memories.summaries.query({ companionId, limit: 5 })).items.map((s) => s.version)).toEqual([1]);
  });

  it("stamps the last use of the memories a reply's prompt used, after the reply", async () => {
    const user = await signUp(t);
    const { id: companionId } = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId });
    const memory = await user.api.memories.create.mutate({ companionId, content: "Their cat is called Pebble." });
    expect(memory.lastUsedAt).toBeNull();
    await user.api.messages.send.mutate({ companionId, content: "Pebble knocked a glass over", idempotencyKey: newKey() });
    await t.settle();
    const [used] = (await user.api.memories.list.query({ companionId, source: "manual", limit: 5 })).items;
    expect(used?.lastUsedAt).not.toBeNull();
  });
});
