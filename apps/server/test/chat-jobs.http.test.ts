/**
 * The after-reply work is a job enqueued in the transaction that saves the reply: one job per
 * saved reply, and none when that transaction rolls back.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { messages } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, signUp, storedMessages, waitFor } from "./chat-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "10000" });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

const afterReplyJobs = (messageId: string) => t.server.runtime.jobs.boss.findJobs("chat.after-reply", { data: { messageId } });

describe("the after-reply job", () => {
  it("is enqueued once with the saved reply, runs, and records the exchange's call", async () => {
    fake.setBehavior({ mode: "ok" });
    const user = await signUp(t);
    const companion = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    const { userMessage, reply } = await user.api.messages.send.mutate({ companionId: companion.id, content: "what a lovely, happy day", idempotencyKey: newKey() });
    expect(reply.status).toBe("complete");
    await t.settle();
    const jobs = await afterReplyJobs(userMessage.id);
    expect(jobs.map((j) => j.state)).toEqual(["completed"]);
    const [row] = (await storedMessages(t.database.db, user.id, companion.id)).filter((m) => m.id === userMessage.id);
    expect(row?.sentiment).not.toBeNull();
  });

  it("a reply whose transaction rolls back enqueues nothing", async () => {
    const user = await signUp(t);
    const companion = await createCompanion(t.database.db);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    // A reply that takes a while: the user's message is deleted while it streams, so saving
    // the reply fails (NOT_FOUND) and its transaction, the enqueue inside it, rolls back.
    fake.setBehavior({ mode: "ok", reply: Array.from({ length: 30 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 40 });
    const asked = fake.requestBodies.length;
    const { userMessage } = await user.api.messages.start.mutate({ companionId: companion.id, content: "tell me a long story", idempotencyKey: newKey() });
    await waitFor(() => fake.requestBodies.length > asked);
    await t.database.db.delete(messages).where(eq(messages.id, userMessage.id));
    await t.settle();
    expect(await storedMessages(t.database.db, user.id, companion.id)).toEqual([]);
    expect(await afterReplyJobs(userMessage.id)).toEqual([]);
  });
});
