/**
 * Daily quotas over HTTP (docs/quotas.md): under the limit a model (the fake OpenAI server)
 * answers; past it the offline persona does, the answer says `degraded: "quota"`, and no model
 * call is made for the person, in the chat path or after it. Overrides (the function behind
 * `pnpm admin user:quota`) move the limit; `insights.usage` reports it; the next day starts again.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { aiCalls, messages, setUserQuota, users } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { callsOf, createCompanion, newKey, signUp, storedMessages, streamReply, streamToEnd, type ChatUser, type StreamEvent } from "./chat-fixtures.ts";

const MESSAGES_PER_DAY = 3;

const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: "gpt-4o-mini",
    AI_TIMEOUT_MS: "3000",
    AI_DEADLINE_MS: "8000",
    QUOTA_MESSAGES_PER_DAY: String(MESSAGES_PER_DAY),
    QUOTA_TOKENS_PER_DAY: "0",
  });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});
beforeEach(() => {
  fake.setBehavior({ mode: "ok" });
});

async function connectedUser(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

const doneOf = (events: StreamEvent[]) => {
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error(`stream ended without done: ${JSON.stringify(events.at(-1))}`);
  return done;
};

/** Sends and waits for everything after the reply (the after-reply job and what it enqueues). */
async function send(user: ChatUser, companionId: string, content: string) {
  const res = await user.api.messages.send.mutate({ companionId, content, idempotencyKey: newKey() });
  await t.settle();
  return res;
}

/** What the fake provider was asked since `before`, and the person's ai_calls rows. */
const modelRequestsSince = (before: number) => fake.requestBodies.length - before;

/** Moves the person's day back: their messages and model calls happened yesterday. */
async function moveToYesterday(userId: string) {
  const db = t.database.db;
  await db.update(messages).set({ createdAt: sql`${messages.createdAt} - interval '1 day'` }).where(eq(messages.userId, userId));
  await db.update(aiCalls).set({ createdAt: sql`${aiCalls.createdAt} - interval '1 day'` }).where(eq(aiCalls.userId, userId));
}

describe("the daily message limit", () => {
  it("answers past the limit through the offline persona, says degraded: quota, and calls no model for the person", async () => {
    const { user, companionId } = await connectedUser();
    for (let i = 1; i <= MESSAGES_PER_DAY; i++) {
      const before = fake.requestBodies.length;
      const res = await send(user, companionId, `tell me about the lighthouse, part ${i}`);
      expect(res.degraded).toBeNull();
      // The reply, and the sentiment and memory extraction after it, went to the model.
      expect(modelRequestsSince(before)).toBeGreaterThanOrEqual(2);
    }
    const callsBefore = (await callsOf(t.database.db, user.id)).length;
    expect(callsBefore).toBeGreaterThanOrEqual(MESSAGES_PER_DAY * 2);
    const requestsBefore = fake.requestBodies.length;

    // One past the limit, by send: an answer, not an error, in the companion's voice.
    const over = await send(user, companionId, "and what about the tide pools?");
    expect(over.degraded).toBe("quota");
    expect(over.reply.content.length).toBeGreaterThan(0);
    expect(over.reply.status).toBe("complete");

    // By start + stream: tokens, then done with the same flag.
    const events = await streamToEnd(user.api, { companionId, content: "are you still there?", idempotencyKey: newKey() });
    await t.settle();
    expect(events.some((e) => e.type === "token")).toBe(true);
    expect(events.some((e) => e.type === "fallback")).toBe(false);
    expect(doneOf(events).degraded).toBe("quota");

    // No model call at all: neither the replies nor the background work after them.
    expect(modelRequestsSince(requestsBefore)).toBe(0);
    expect(await callsOf(t.database.db, user.id)).toHaveLength(callsBefore);
    const stored = await storedMessages(t.database.db, user.id, companionId);
    expect(stored.filter((m) => m.role === "assistant").map((m) => m.provider)).toEqual(["openai", "openai", "openai", "offline", "offline"]);
  });

  it("keeps saying so on a retried send and on a late subscriber, and on a regenerate past the limit", async () => {
    const { user, companionId } = await connectedUser();
    await setUserQuota(t.database.db, { userId: user.id, messagesPerDay: 1 });
    await send(user, companionId, "first, answered by the model");
    const key = newKey();
    const over = await user.api.messages.send.mutate({ companionId, content: "second, past the limit", idempotencyKey: key });
    expect(over.degraded).toBe("quota");
    const retried = await user.api.messages.send.mutate({ companionId, content: "second, past the limit", idempotencyKey: key });
    expect(retried).toEqual(over);
    // The finished exchange, to a subscriber arriving after it was written.
    expect(doneOf(await streamReply(user.api, over.userMessage.id)).degraded).toBe("quota");

    const before = fake.requestBodies.length;
    await user.api.messages.regenerate.mutate({ companionId, messageId: over.userMessage.id, idempotencyKey: newKey() });
    const regenerated = doneOf(await streamReply(user.api, over.userMessage.id));
    expect(regenerated.degraded).toBe("quota");
    await user.api.messages.edit.mutate({ messageId: over.userMessage.id, content: "second, edited", idempotencyKey: newKey() });
    expect(doneOf(await streamReply(user.api, over.userMessage.id)).degraded).toBe("quota");
    await t.settle();
    expect(modelRequestsSince(before)).toBe(0);
  });
});

describe("overrides, usage and the next day", () => {
  it("an override raises and lowers the limit, insights.usage reports it, and the next day starts again", async () => {
    const { user, companionId } = await connectedUser();
    const fresh = await user.api.insights.usage.query();
    expect(fresh).toMatchObject({ timeZone: "UTC", messages: { used: 0, limit: MESSAGES_PER_DAY }, tokens: { used: 0, limit: null }, spent: false });
    expect(fresh.day).toBe(new Date().toISOString().slice(0, 10));
    expect(fresh.resetsAt).toBe(`${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`);

    for (let i = 0; i < MESSAGES_PER_DAY; i++) await send(user, companionId, `hello ${i}`);
    const full = await user.api.insights.usage.query();
    expect(full.messages).toEqual({ used: MESSAGES_PER_DAY, limit: MESSAGES_PER_DAY });
    expect(full.tokens.used).toBeGreaterThan(0);
    expect(full.spent).toBe(true);
    expect((await send(user, companionId, "one too many")).degraded).toBe("quota");

    // Raised: the model answers again.
    await setUserQuota(t.database.db, { userId: user.id, messagesPerDay: 10 });
    expect(await user.api.insights.usage.query()).toMatchObject({ messages: { used: MESSAGES_PER_DAY + 1, limit: 10 }, spent: false });
    expect((await send(user, companionId, "more room now")).degraded).toBeNull();

    // 0: unlimited for this person.
    await setUserQuota(t.database.db, { userId: user.id, messagesPerDay: 0 });
    expect((await user.api.insights.usage.query()).messages.limit).toBeNull();

    // Lowered: past it at once.
    await setUserQuota(t.database.db, { userId: user.id, messagesPerDay: 2 });
    expect((await send(user, companionId, "and now?")).degraded).toBe("quota");

    // Back to the deployment's default; then a new day: the meters start from 0 and the model answers.
    await setUserQuota(t.database.db, { userId: user.id, messagesPerDay: null });
    expect((await send(user, companionId, "still today")).degraded).toBe("quota");
    await moveToYesterday(user.id);
    expect(await user.api.insights.usage.query()).toMatchObject({ messages: { used: 0, limit: MESSAGES_PER_DAY }, tokens: { used: 0 }, spent: false });
    const before = fake.requestBodies.length;
    expect((await send(user, companionId, "good morning")).degraded).toBeNull();
    expect(modelRequestsSince(before)).toBeGreaterThanOrEqual(1);
  });

  it("limits tokens: once today's calls reach the token limit, the offline persona answers", async () => {
    const { user, companionId } = await connectedUser();
    await send(user, companionId, "one exchange with the model");
    const { tokens } = await user.api.insights.usage.query();
    expect(tokens.used).toBeGreaterThan(0);
    await setUserQuota(t.database.db, { userId: user.id, tokensPerDay: tokens.used + 1 });
    // Still under: one more with the model, which spends more than the one token left.
    expect((await send(user, companionId, "another one")).degraded).toBeNull();
    const after = await user.api.insights.usage.query();
    expect(after.tokens).toEqual({ used: expect.any(Number), limit: tokens.used + 1 });
    expect(after.tokens.used).toBeGreaterThan(tokens.used + 1);
    expect(after.spent).toBe(true);
    const before = fake.requestBodies.length;
    expect((await send(user, companionId, "and a third")).degraded).toBe("quota");
    expect(modelRequestsSince(before)).toBe(0);
  });

  it("counts the person's day in their time zone", async () => {
    const { user } = await connectedUser();
    // UTC+14: their day starts 14 hours before UTC's.
    await t.database.db.update(users).set({ timeZone: "Pacific/Kiritimati" }).where(eq(users.id, user.id));
    const usage = await user.api.insights.usage.query();
    const local = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    expect(usage.timeZone).toBe("Pacific/Kiritimati");
    expect(usage.day).toBe(local);
    expect(usage.resetsAt).toBe(new Date(Date.parse(`${local}T00:00:00.000Z`) + 86_400_000 - 14 * 3_600_000).toISOString());
  });
});
