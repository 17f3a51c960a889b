/**
 * stories.reply (docs/stories.md#replying-to-a-story): a reply to a companion's story continues
 * my chat with it, the message carrying the story (the model is told which one, the history
 * shows it while it lives); a reply to a person's story becomes their notification.
 */
import type { ChatMessage } from "@companion/ai";
import { FAKE_REPLY, createFakeOpenAIServer } from "@companion/ai/testing";
import { errorReason, isTRPCClientError } from "@companion/client";
import { messages, notifications, stories } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { createCompanion, newKey, signUp, streamReply, type ChatUser } from "./chat-fixtures.ts";
import { follow, postStory, startSocialServer } from "./social-fixtures.ts";
import { insertStory } from "./story-fixtures.ts";

const CAPTION = "Caught the Perseids from the lighthouse roof";

const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startSocialServer({
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: "gpt-4o-mini",
    AI_TIMEOUT_MS: "3000",
    AI_DEADLINE_MS: "8000",
    RATE_CHAT_PER_MIN: "1000",
  });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});
beforeEach(() => fake.setBehavior({ mode: "ok" }));

/** A user connected (companions.connect) to a companion that posted a story captioned `caption` (null: none). */
async function companionStory(caption: string | null = CAPTION) {
  const user = await signUp(t, "Ana");
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  const story = await insertStory(t.database.db, companion.id, { slides: 2, ...(caption === null ? {} : { caption }) });
  return { user, companion, story };
}

async function failure(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code, reason: errorReason(err), fieldErrors: err.data?.zodError?.fieldErrors ?? null };
    throw err;
  }
  throw new Error("expected the call to fail");
}

const messagesOf = (user: ChatUser) => t.database.db.select({ id: messages.id, storyId: messages.storyId }).from(messages).where(eq(messages.userId, user.id));

describe("a reply to a companion's story", () => {
  it("continues my chat: the reply streams, the model is told the story, the history shows it while it lives", async () => {
    const { user, companion, story } = await companionStory();
    await t.settle();
    const before = fake.requestBodies.length;

    const res = await user.api.stories.reply.mutate({ storyId: story.id, content: "Wow, how long did you stay up?", idempotencyKey: newKey() });
    if (res.kind !== "chat") throw new Error(`expected a chat reply, got ${res.kind}`);
    expect(res.userMessage).toMatchObject({ companionId: companion.id, role: "user", content: "Wow, how long did you stay up?" });
    expect(res.streamTicket.ticket.length).toBeGreaterThan(10);

    const events = await streamReply(user.api, res.userMessage.id);
    expect(events.at(-1)).toMatchObject({ type: "done", userMessage: { id: res.userMessage.id }, reply: { content: FAKE_REPLY } });
    // The chat request (the sentiment request comes after the reply is saved): the user's turn names the story.
    const body = fake.requestBodies[before] as { messages: ChatMessage[] };
    const turn = body.messages.at(-1);
    expect(turn?.role).toBe("user");
    expect(turn?.content).toContain(`The user is replying to your story: "${CAPTION}"`);
    expect(turn?.content).toContain("Wow, how long did you stay up?");

    const byId = await user.api.stories.byId.query({ storyId: story.id });
    const history = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    expect(history.items.map((m) => [m.role, m.story])).toEqual([
      ["assistant", null],
      ["user", { id: story.id, caption: CAPTION, firstSlide: { kind: "image", url: byId.slides[0]?.url } }],
    ]);

    // Past its 24 hours the story is gone from the history; the message stays.
    await t.database.db.update(stories).set({ expiresAt: sql`now() - interval '1 minute'` }).where(eq(stories.id, story.id));
    const after = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    expect(after.items.map((m) => [m.id, m.story])).toEqual(history.items.map((m) => [m.id, null]));
    // And nobody replies to it any more.
    expect(await failure(() => user.api.stories.reply.mutate({ storyId: story.id, content: "still there?", idempotencyKey: newKey() }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("a story without a caption is named as such; a deleted story leaves the history", async () => {
    const { user, companion, story } = await companionStory(null);
    await t.settle();
    const before = fake.requestBodies.length;
    const res = await user.api.stories.reply.mutate({ storyId: story.id, content: "Beautiful", idempotencyKey: newKey() });
    if (res.kind !== "chat") throw new Error("expected a chat reply");
    await streamReply(user.api, res.userMessage.id);
    expect((fake.requestBodies[before] as { messages: ChatMessage[] }).messages.at(-1)?.content).toContain("replying to your story: (a story without a caption)");

    await t.database.db.update(stories).set({ deletedAt: sql`now()` }).where(eq(stories.id, story.id));
    const history = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    expect(history.items.map((m) => m.story)).toEqual([null, null]);
  });

  it("a retry with the same key is the same message; the key with other words or as a plain message is a conflict", async () => {
    const { user, companion, story } = await companionStory();
    const input = { storyId: story.id, content: "Same words", idempotencyKey: newKey() };
    const first = await user.api.stories.reply.mutate(input);
    const second = await user.api.stories.reply.mutate(input);
    if (first.kind !== "chat" || second.kind !== "chat") throw new Error("expected chat replies");
    expect(second.userMessage.id).toBe(first.userMessage.id);
    const done = (await streamReply(user.api, second.userMessage.id)).at(-1);
    expect(done).toMatchObject({ type: "done", userMessage: { id: first.userMessage.id } });
    expect(await messagesOf(user)).toHaveLength(2);
    expect((await messagesOf(user)).filter((m) => m.storyId === story.id)).toHaveLength(1);

    expect(await failure(() => user.api.stories.reply.mutate({ ...input, content: "Other words" }))).toMatchObject({ code: "CONFLICT", reason: "IDEMPOTENCY_KEY_REUSED" });
    expect(await failure(() => user.api.messages.start.mutate({ companionId: companion.id, content: "Same words", idempotencyKey: input.idempotencyKey }))).toMatchObject({
      code: "CONFLICT",
      reason: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it("a reply nobody answers yet (its process gone) is taken over by messages.stream, still naming the story", async () => {
    const { user, companion, story } = await companionStory();
    // As a crashed process leaves it: saved with its story, no owner, no reply.
    const [saved] = await t.database.db
      .insert(messages)
      .values({ userId: user.id, companionId: companion.id, role: "user", content: "Did you see the big one?", idempotencyKey: newKey(), storyId: story.id })
      .returning({ id: messages.id });
    if (!saved) throw new Error("insert returned no message");
    await t.settle();
    const before = fake.requestBodies.length;
    expect((await streamReply(user.api, saved.id)).at(-1)).toMatchObject({ type: "done", reply: { content: FAKE_REPLY } });
    const turn = (fake.requestBodies[before] as { messages: ChatMessage[] }).messages.at(-1);
    expect(turn?.content).toBe(`[The user is replying to your story: "${CAPTION}"]\nDid you see the big one?`);
  });

  it("a story I may not see is NOT_FOUND: a companion I am not connected with, one I left, an unknown id", async () => {
    const { user, companion, story } = await companionStory();
    const stranger = await signUp(t, "Stranger");
    const key = newKey();
    expect(await failure(() => stranger.api.stories.reply.mutate({ storyId: story.id, content: "hi", idempotencyKey: key }))).toMatchObject({ code: "NOT_FOUND" });
    await user.api.companions.disconnect.mutate({ companionId: companion.id });
    expect(await failure(() => user.api.stories.reply.mutate({ storyId: story.id, content: "hi", idempotencyKey: newKey() }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure(() => user.api.stories.reply.mutate({ storyId: crypto.randomUUID(), content: "hi", idempotencyKey: newKey() }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await messagesOf(stranger)).toEqual([]);
  });
});

describe("a reply to a person's story", () => {
  it("notifies its author with my words, once per key; I get no chat", async () => {
    const author = await signUp(t, "Bea");
    const replier = await signUp(t, "Cai");
    const story = await postStory(t, author, { visibility: "public", caption: "Sunday market haul" });
    const input = { storyId: story.id, content: "That bread looks amazing!", idempotencyKey: newKey() };

    expect(await replier.api.stories.reply.mutate(input)).toEqual({ kind: "notified", storyId: story.id });
    expect(await replier.api.stories.reply.mutate(input)).toEqual({ kind: "notified", storyId: story.id });

    const inbox = await author.api.notifications.list.query({ limit: 10 });
    expect(inbox.items).toEqual([
      expect.objectContaining({
        kind: "story_reply",
        data: { storyId: story.id, replier: { id: replier.id, displayName: "Cai" }, text: "That bread looks amazing!" },
        text: "Cai replied to your story: That bread looks amazing!",
        readAt: null,
      }),
    ]);
    expect(await messagesOf(replier)).toEqual([]);
    expect((await replier.api.notifications.list.query({ limit: 10 })).items).toEqual([]);

    // A new key is a new reply.
    await replier.api.stories.reply.mutate({ ...input, idempotencyKey: newKey() });
    expect(await t.database.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.userId, author.id))).toHaveLength(2);

    // Muted: nothing is stored, and the replier cannot tell.
    await author.api.notifications.updatePreferences.mutate({ muted: { story_reply: true } });
    expect(await replier.api.stories.reply.mutate({ ...input, idempotencyKey: newKey() })).toEqual({ kind: "notified", storyId: story.id });
    expect(await t.database.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.userId, author.id))).toHaveLength(2);
  });

  it("keeps a long reply's first 500 characters; my own story is BAD_REQUEST; a friends-only story of a stranger is NOT_FOUND", async () => {
    const author = await signUp(t, "Dov");
    const replier = await signUp(t, "Eli");
    const story = await postStory(t, author, { visibility: "public" });
    await replier.api.stories.reply.mutate({ storyId: story.id, content: "x".repeat(2_000), idempotencyKey: newKey() });
    const [note] = (await author.api.notifications.list.query({ limit: 1 })).items;
    if (note?.kind !== "story_reply") throw new Error("expected a story_reply notification");
    expect(Array.from(note.data.text)).toHaveLength(500);

    expect(await failure(() => author.api.stories.reply.mutate({ storyId: story.id, content: "me", idempotencyKey: newKey() }))).toMatchObject({ code: "BAD_REQUEST" });

    const friendsOnly = await postStory(t, author, { visibility: "friends" });
    expect(await failure(() => replier.api.stories.reply.mutate({ storyId: friendsOnly.id, content: "hi", idempotencyKey: newKey() }))).toMatchObject({ code: "NOT_FOUND" });
    // Friends (following each other) may reply.
    await follow(replier, author);
    await follow(author, replier);
    expect(await replier.api.stories.reply.mutate({ storyId: friendsOnly.id, content: "hi friend", idempotencyKey: newKey() })).toMatchObject({ kind: "notified" });
  });
});

describe("bad input", () => {
  it("is BAD_REQUEST naming the field", async () => {
    const { user, story } = await companionStory();
    const cases = [
      [{ storyId: "not-a-uuid", content: "hi", idempotencyKey: newKey() }, "storyId"],
      [{ storyId: story.id, content: "   ", idempotencyKey: newKey() }, "content"],
      [{ storyId: story.id, content: "y".repeat(4_001), idempotencyKey: newKey() }, "content"],
      [{ storyId: story.id, content: "hi", idempotencyKey: "short" }, "idempotencyKey"],
    ] as const;
    for (const [input, field] of cases) {
      const failed = await failure(() => user.api.stories.reply.mutate(input));
      expect(failed.code).toBe("BAD_REQUEST");
      expect(Object.keys(failed.fieldErrors ?? {})).toEqual([field]);
    }
    expect(await messagesOf(user)).toEqual([]);
  });
});
