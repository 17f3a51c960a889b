/**
 * Chat controls over HTTP (docs/chat-controls.md): regenerate (alternatives kept), select an
 * alternative, edit my last message, delete an exchange; through the client, against a fake
 * OpenAI server that answers each streamed chat request with a numbered reply.
 */
import type { ChatMessage } from "@companion/ai";
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { errorReason } from "@companion/client";
import { memories, messages, relationshipStates, replyAlternatives } from "@companion/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createCompanion, newKey, signUp, storedMessages, streamReply, streamToEnd, type ChatUser, type StreamEvent } from "./chat-fixtures.ts";

const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;
let replies = 0;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  // Every streamed chat request gets its own reply, so alternatives differ; the rest the defaults.
  fake.setBehavior({ mode: "ok", replyFor: (req) => (req.stream ? `Reply number ${++replies}, with enough words after it to stream past the leak guard's look-ahead.` : undefined) });
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, OPENAI_MODEL: "gpt-4o-mini", AI_TIMEOUT_MS: "3000", AI_DEADLINE_MS: "8000" });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

async function connectedUser(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

const doneOf = (events: StreamEvent[]) => {
  const done = events.at(-1);
  if (done?.type !== "done") throw new Error("the stream ended without done");
  return done;
};

/** The reason (or tRPC code) and field errors of a call that must fail; the call starts here. */
async function failure(call: () => Promise<unknown>): Promise<{ reason: string | null; code: string | undefined; fields: string[] }> {
  try {
    await call();
  } catch (err) {
    const data = (err as { data?: { code?: string; zodError?: { fieldErrors?: Record<string, unknown> } } }).data;
    return { reason: errorReason(err), code: data?.code, fields: Object.keys(data?.zodError?.fieldErrors ?? {}).sort() };
  }
  throw new Error("expected the call to fail");
}

/** One exchange streamed to the end: my message and the reply. */
async function exchange(user: ChatUser, companionId: string, content: string) {
  const done = doneOf(await streamToEnd(user.api, { companionId, content, idempotencyKey: newKey() }));
  return { userMessage: done.userMessage, reply: done.reply };
}

const interactionCount = async (user: ChatUser, companionId: string) => (await user.api.companions.byId.query({ companionId })).relationship?.interactionCount;

const chatRequests = () => fake.requestBodies.filter((b) => (b as { stream?: boolean }).stream === true).length;

describe("messages.regenerate", () => {
  it("streams a new reply to my last message and keeps the earlier one as an alternative; the relationship moves once", async () => {
    const { user, companionId } = await connectedUser();
    const first = await exchange(user, companionId, "Tell me about tide pools");
    await t.settle();
    expect(await interactionCount(user, companionId)).toBe(1);

    // At once: the first reply's stream is still replayable in this process; the new one must be written.
    const key = newKey();
    const regen = await user.api.messages.regenerate.mutate({ companionId, messageId: first.userMessage.id, idempotencyKey: key });
    expect(regen.userMessage).toEqual(first.userMessage);
    expect(regen.streamTicket.ticket).toEqual(expect.any(String));
    const events = await streamReply(user.api, first.userMessage.id);
    const second = doneOf(events).reply;
    expect(events.filter((e) => e.type === "token").length).toBeGreaterThan(1);
    expect(second.content).not.toBe(first.reply.content);
    expect(second.replyToId).toBe(first.userMessage.id);

    const page = await user.api.messages.list.query({ companionId, limit: 10 });
    expect(page.items.map((m) => m.content)).toEqual([second.content, "Tell me about tide pools"]);
    expect(page.items[0]?.alternatives).toEqual({ position: 1, count: 2 });
    expect(page.items[1]?.alternatives).toBeNull();
    const alternatives = await user.api.messages.alternatives.query({ messageId: second.id });
    expect(alternatives.items.map((a) => [a.position, a.content, a.selected])).toEqual([
      [0, first.reply.content, false],
      [1, second.content, true],
    ]);

    // A retry under the same key changes nothing: no third reply, no model call.
    const before = chatRequests();
    const retried = await user.api.messages.regenerate.mutate({ companionId, messageId: second.id, idempotencyKey: key });
    expect(retried.userMessage).toEqual(first.userMessage);
    expect(doneOf(await streamReply(user.api, first.userMessage.id)).reply).toEqual(second);
    expect(chatRequests()).toBe(before);
    expect((await user.api.messages.alternatives.query({ messageId: first.userMessage.id })).items).toHaveLength(2);

    await t.settle();
    expect(await interactionCount(user, companionId)).toBe(1);
    const rows = await storedMessages(t.database.db, user.id, companionId);
    expect(rows.filter((r) => r.role === "assistant")).toHaveLength(1);
  });

  it("selectAlternative changes what the history shows and what the next prompt holds", async () => {
    const { user, companionId } = await connectedUser();
    const first = await exchange(user, companionId, "First question");
    await user.api.messages.regenerate.mutate({ companionId, messageId: first.userMessage.id, idempotencyKey: newKey() });
    const second = doneOf(await streamReply(user.api, first.userMessage.id)).reply;

    const selected = await user.api.messages.selectAlternative.mutate({ messageId: second.id, position: 0 });
    expect(selected.reply).toMatchObject({ id: second.id, content: first.reply.content, replyToId: first.userMessage.id });
    expect(selected.alternatives).toEqual({ position: 0, count: 2 });
    // Idempotent, and by either message of the exchange.
    expect((await user.api.messages.selectAlternative.mutate({ messageId: first.userMessage.id, position: 0 })).reply).toEqual(selected.reply);
    const page = await user.api.messages.list.query({ companionId, limit: 10 });
    expect(page.items[0]).toMatchObject({ id: second.id, content: first.reply.content, alternatives: { position: 0, count: 2 } });

    await t.settle();
    const before = fake.requestBodies.length;
    await exchange(user, companionId, "Second question");
    const prompt = (fake.requestBodies.slice(before).find((b) => (b as { stream?: boolean }).stream === true) as { messages: ChatMessage[] }).messages;
    const history = prompt.map((m) => m.content);
    expect(history).toContain(first.reply.content);
    expect(history).not.toContain(second.content);

    // The conversation moved on: the earlier exchange is no longer mine to change.
    expect(await failure(() => user.api.messages.selectAlternative.mutate({ messageId: second.id, position: 1 }))).toMatchObject({ reason: "CONFLICT" });
    // The exchange now last has no alternatives.
    const last = (await user.api.messages.list.query({ companionId, limit: 1 })).items[0];
    expect(await failure(() => user.api.messages.selectAlternative.mutate({ messageId: last?.id ?? "", position: 0 }))).toMatchObject({ reason: "NOT_FOUND" });
  });

  it("refuses an exchange that is not my last (CONFLICT), another user's messages (NOT_FOUND) and bad input (BAD_REQUEST)", async () => {
    const { user, companionId } = await connectedUser();
    const first = await exchange(user, companionId, "One");
    const second = await exchange(user, companionId, "Two");
    const conflict = await failure(() => user.api.messages.regenerate.mutate({ companionId, messageId: first.userMessage.id, idempotencyKey: newKey() }));
    expect(conflict).toMatchObject({ reason: "CONFLICT", code: "CONFLICT" });
    expect(await failure(() => user.api.messages.edit.mutate({ messageId: first.userMessage.id, content: "One!", idempotencyKey: newKey() }))).toMatchObject({
      reason: "CONFLICT",
    });
    // The companion must be the conversation's.
    const other = await createCompanion(t.database.db);
    expect(await failure(() => user.api.messages.regenerate.mutate({ companionId: other.id, messageId: second.userMessage.id, idempotencyKey: newKey() }))).toMatchObject({
      reason: "NOT_FOUND",
    });

    const { user: bob } = await connectedUser();
    const mine = { companionId, messageId: second.userMessage.id };
    for (const call of [
      () => bob.api.messages.regenerate.mutate({ ...mine, idempotencyKey: newKey() }),
      () => bob.api.messages.edit.mutate({ messageId: second.userMessage.id, content: "hijacked", idempotencyKey: newKey() }),
      () => bob.api.messages.selectAlternative.mutate({ messageId: second.reply.id, position: 0 }),
      () => bob.api.messages.alternatives.query({ messageId: second.reply.id }),
    ]) {
      expect(await failure(call)).toMatchObject({ reason: "NOT_FOUND" });
    }
    expect(await bob.api.messages.delete.mutate({ messageId: second.userMessage.id })).toEqual({ deleted: false, messageIds: [] });
    expect((await user.api.messages.list.query({ companionId, limit: 10 })).items.map((m) => m.content)).toContain("Two");

    expect(await failure(() => user.api.messages.regenerate.mutate({ companionId: "x", messageId: "y", idempotencyKey: "k" }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: ["companionId", "idempotencyKey", "messageId"],
    });
    expect(await failure(() => user.api.messages.edit.mutate({ messageId: second.userMessage.id, content: "   ", idempotencyKey: newKey() }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: ["content"],
    });
    expect(await failure(() => user.api.messages.selectAlternative.mutate({ messageId: second.reply.id, position: -1 }))).toMatchObject({
      code: "BAD_REQUEST",
      fields: ["position"],
    });
    expect(await failure(() => user.api.messages.delete.mutate({ messageId: "nope" }))).toMatchObject({ code: "BAD_REQUEST", fields: ["messageId"] });
  });
});

describe("while a reply is being written", () => {
  it("regenerate, edit, selectAlternative and delete are CONFLICT until it is saved", async () => {
    const { user, companionId } = await connectedUser();
    fake.setBehavior({ mode: "ok", chunkDelayMs: 150, replyFor: (req) => (req.stream ? `Slow reply number ${++replies}.` : undefined) });
    try {
      const { userMessage } = await user.api.messages.start.mutate({ companionId, content: "Take your time", idempotencyKey: newKey() });
      const messageId = userMessage.id;
      for (const call of [
        () => user.api.messages.regenerate.mutate({ companionId, messageId, idempotencyKey: newKey() }),
        () => user.api.messages.edit.mutate({ messageId, content: "Quicker", idempotencyKey: newKey() }),
        () => user.api.messages.selectAlternative.mutate({ messageId, position: 0 }),
        () => user.api.messages.delete.mutate({ messageId }),
      ]) {
        expect(await failure(call)).toMatchObject({ reason: "CONFLICT" });
      }
      const done = doneOf(await streamReply(user.api, messageId));
      expect(done.reply.content).toMatch(/^Slow reply number/);
      expect((await user.api.messages.delete.mutate({ messageId })).deleted).toBe(true);
    } finally {
      fake.setBehavior({ mode: "ok", replyFor: (req) => (req.stream ? `Reply number ${++replies}, with enough words after it to stream past the leak guard's look-ahead.` : undefined) });
    }
  });
});

describe("messages.edit", () => {
  it("replaces my last message, drops its reply and alternatives, streams a new reply; a memory saved from it keeps its text", async () => {
    const { user, companionId } = await connectedUser();
    const first = await exchange(user, companionId, "I have a cat named Pixel");
    await user.api.messages.regenerate.mutate({ companionId, messageId: first.userMessage.id, idempotencyKey: newKey() });
    await streamReply(user.api, first.userMessage.id);
    const memory = await user.api.memories.create.mutate({ messageId: first.userMessage.id });
    await t.settle();
    // The message and the memory (an interaction of its own); the edit adds none.
    expect(await interactionCount(user, companionId)).toBe(2);

    const key = newKey();
    const edited = await user.api.messages.edit.mutate({ messageId: first.userMessage.id, content: "I have a dog named Pixel", idempotencyKey: key });
    expect(edited.userMessage).toMatchObject({ id: first.userMessage.id, content: "I have a dog named Pixel" });
    const done = doneOf(await streamReply(user.api, first.userMessage.id));
    expect(done.userMessage.content).toBe("I have a dog named Pixel");

    const page = await user.api.messages.list.query({ companionId, limit: 10 });
    expect(page.items.map((m) => m.content)).toEqual([done.reply.content, "I have a dog named Pixel"]);
    expect(page.items[0]?.alternatives).toBeNull();
    expect(page.items[1]?.isMemorized).toBe(false);
    expect(await t.database.db.select().from(replyAlternatives).where(eq(replyAlternatives.userMessageId, first.userMessage.id))).toEqual([]);
    const [kept] = await t.database.db.select({ content: memories.content, messageId: memories.messageId }).from(memories).where(eq(memories.id, memory.id));
    expect(kept).toEqual({ content: "I have a cat named Pixel", messageId: null });

    // Same key and text: the same message, no new reply; same key, other text: the key is spent.
    const before = chatRequests();
    expect((await user.api.messages.edit.mutate({ messageId: first.userMessage.id, content: "I have a dog named Pixel", idempotencyKey: key })).userMessage).toEqual(
      edited.userMessage,
    );
    expect(doneOf(await streamReply(user.api, first.userMessage.id)).reply).toEqual(done.reply);
    expect(chatRequests()).toBe(before);
    expect(await failure(() => user.api.messages.edit.mutate({ messageId: first.userMessage.id, content: "Something else", idempotencyKey: key }))).toMatchObject({
      reason: "IDEMPOTENCY_KEY_REUSED",
    });
    // A regenerate under an edit's key is refused too; the companion's message is not mine to edit.
    expect(await failure(() => user.api.messages.regenerate.mutate({ companionId, messageId: first.userMessage.id, idempotencyKey: key }))).toMatchObject({
      reason: "IDEMPOTENCY_KEY_REUSED",
    });
    expect(await failure(() => user.api.messages.edit.mutate({ messageId: done.reply.id, content: "Hi", idempotencyKey: newKey() }))).toMatchObject({
      reason: "BAD_REQUEST",
    });
    await t.settle();
    expect(await interactionCount(user, companionId)).toBe(2);
  });
});

describe("messages.delete", () => {
  it("removes my message with its reply (by either), keeps a memory's text without the link, and is idempotent", async () => {
    const { user, companionId } = await connectedUser();
    const first = await exchange(user, companionId, "Keep this one");
    const second = await exchange(user, companionId, "Delete this one");
    await user.api.messages.regenerate.mutate({ companionId, messageId: second.userMessage.id, idempotencyKey: newKey() });
    const regenerated = doneOf(await streamReply(user.api, second.userMessage.id)).reply;
    const memory = await user.api.memories.create.mutate({ messageId: regenerated.id });
    await t.settle();

    const res = await user.api.messages.delete.mutate({ messageId: regenerated.id });
    expect(res.deleted).toBe(true);
    expect(res.messageIds.sort()).toEqual([second.userMessage.id, regenerated.id].sort());
    expect(await user.api.messages.delete.mutate({ messageId: regenerated.id })).toEqual({ deleted: false, messageIds: [] });
    expect(await user.api.messages.delete.mutate({ messageId: second.userMessage.id })).toEqual({ deleted: false, messageIds: [] });

    const page = await user.api.messages.list.query({ companionId, limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([first.reply.id, first.userMessage.id]);
    const [kept] = await t.database.db.select({ content: memories.content, messageId: memories.messageId }).from(memories).where(eq(memories.id, memory.id));
    expect(kept).toEqual({ content: regenerated.content, messageId: null });
    expect(await t.database.db.select().from(replyAlternatives).where(eq(replyAlternatives.userMessageId, second.userMessage.id))).toEqual([]);
    // The inbox's last activity moves back to what is left.
    const [state] = await t.database.db
      .select({ lastMessageAt: relationshipStates.lastMessageAt })
      .from(relationshipStates)
      .where(and(eq(relationshipStates.userId, user.id), eq(relationshipStates.companionId, companionId)));
    expect(state?.lastMessageAt?.toISOString()).toBe(first.reply.createdAt);
    // A stream of the deleted message finds nothing, even right after it was replayable here.
    expect(await failure(() => streamReply(user.api, second.userMessage.id))).toMatchObject({ code: "NOT_FOUND" });

    // Deleting my message by its id takes its reply along; the earlier exchange may go too.
    expect((await user.api.messages.delete.mutate({ messageId: first.userMessage.id })).messageIds.sort()).toEqual([first.userMessage.id, first.reply.id].sort());
    expect(await t.database.db.select({ id: messages.id }).from(messages).where(eq(messages.userId, user.id))).toEqual([]);
  });
});
