/**
 * Chat against an OpenAI-compatible provider: a fake server in this process, reached by
 * the server under test through the real openai SDK, configured only by env.
 */
import { estimateMessagesTokens, type ChatMessage } from "@companion/ai";
import { FAKE_REPLY, createFakeOpenAIServer } from "@companion/ai/testing";
import { createClient } from "@companion/client";
import { messages } from "@companion/db";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import {
  addMemory,
  callsOf,
  createCompanion,
  newKey,
  setMood,
  signUp,
  storedMessages,
  streamToEnd,
  waitFor,
  type ChatUser,
  type StreamEvent,
} from "./chat-fixtures.ts";

const CONTEXT_TOKENS = 1024;
const REPLY_TOKENS = 200;

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
    AI_CONTEXT_TOKENS: String(CONTEXT_TOKENS),
    AI_REPLY_TOKENS: String(REPLY_TOKENS),
  });
  // The server's first model call pays for connecting; keep that out of the tests.
  const { user, companionId } = await connectedUser();
  await user.api.messages.send.mutate({ companionId, content: "warm up", idempotencyKey: newKey() });
  await t.settle();
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

interface ChatBody {
  messages: ChatMessage[];
  max_tokens: number;
}

/**
 * Streams a message and returns the chat request the provider received: the first request
 * after `start` (the background sentiment request comes after the reply is saved).
 */
async function promptOf(user: ChatUser, companionId: string, content: string): Promise<ChatBody> {
  await t.settle();
  const before = fake.requestBodies.length;
  await streamToEnd(user.api, { companionId, content, idempotencyKey: newKey() });
  return fake.requestBodies[before] as ChatBody;
}

describe("chat through an OpenAI-compatible provider", () => {
  it("send and stream answer with the provider's reply; calls and sentiment are recorded", async () => {
    const { user, companionId } = await connectedUser();
    const sent = await user.api.messages.send.mutate({ companionId, content: "I am so happy today", idempotencyKey: newKey() });
    expect(sent.reply.content).toBe(FAKE_REPLY);

    const events = await streamToEnd(user.api, { companionId, content: "Tell me something nice", idempotencyKey: newKey() });
    const text = events.map((e) => (e.type === "token" ? e.text : "")).join("");
    expect(text).toBe(FAKE_REPLY);
    expect(events.filter((e) => e.type === "token").length).toBeGreaterThan(3);
    expect(events.at(-1)).toMatchObject({ type: "done", reply: { content: FAKE_REPLY, status: "complete" } });

    await t.settle();
    const rows = await storedMessages(t.database.db, user.id, companionId);
    expect(rows.filter((r) => r.role === "assistant").map((r) => r.provider)).toEqual(["openai", "openai"]);
    // The model classified each user message ({"sentiment":0.6} from the fake).
    expect(rows.filter((r) => r.role === "user").map((r) => r.sentiment)).toEqual([0.6, 0.6]);
    const calls = await callsOf(t.database.db, user.id);
    expect(calls.filter((c) => c.purpose === "chat")).toEqual([
      expect.objectContaining({ provider: "openai", outcome: "ok" }),
      expect.objectContaining({ provider: "openai", outcome: "ok" }),
    ]);
    expect(calls.filter((c) => c.purpose === "sentiment")).toHaveLength(2);
  });

  it("builds the prompt from persona, mood, pinned and relevant memories and recent turns", async () => {
    const { user, companionId } = await connectedUser();
    await setMood(t.database.db, user.id, companionId, "joyful");
    await addMemory(t.database.db, user.id, companionId, { title: "Dog", content: "Has a beagle named Biscuit", pinned: true });
    await addMemory(t.database.db, user.id, companionId, { title: "Trails", content: "Loves hiking the Cascade ridge trails" });
    await addMemory(t.database.db, user.id, companionId, { title: "Piano", content: "Practises Chopin nocturnes" });
    await user.api.messages.send.mutate({ companionId, content: "Earlier turn about my week", idempotencyKey: newKey() });

    const body = await promptOf(user, companionId, "Planning a hiking weekend, any ideas?");
    const system = body.messages[0]?.content ?? "";
    expect(body.messages[0]?.role).toBe("system");
    expect(system).toContain("you love tide pools and lighthouses");
    expect(system).toContain("Current mood: joyful");
    expect(system).toContain("Has a beagle named Biscuit");
    expect(system).toContain("Cascade ridge trails");
    // Unpinned memories come by the retrieval score (docs/memory.md): the relevant one first.
    expect(system.indexOf("Cascade ridge trails")).toBeLessThan(system.indexOf("Chopin"));
    expect(body.messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ["user", "Earlier turn about my week"],
      ["assistant", FAKE_REPLY],
      ["user", "Planning a hiking weekend, any ideas?"],
    ]);
    expect(body.max_tokens).toBe(REPLY_TOKENS);
  });

  it("never exceeds the prompt budget, however much there is to remember", async () => {
    const { user, companionId } = await connectedUser();
    const long = (label: string, n: number) => `${label} ${"lorem ipsum dolor sit amet ".repeat(n)}`;
    const now = Date.now();
    // One second apart: inserted in one millisecond they would tie on created_at, and which
    // is "newest" would depend on their random ids.
    for (let i = 0; i < 25; i++) {
      const createdAt = new Date(now - (100 - i) * 1000);
      await addMemory(t.database.db, user.id, companionId, { title: `Pinned ${i}`, content: long(`pinned fact ${i}`, 12), pinned: true, createdAt });
    }
    await t.database.db.insert(messages).values(
      Array.from({ length: 60 }, (_, i) => ({
        userId: user.id,
        companionId,
        role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: long(`turn ${i}`, 10),
        createdAt: new Date(now - (60 - i) * 1000),
      })),
    );
    const body = await promptOf(user, companionId, long("newest message", 8));
    expect(estimateMessagesTokens(body.messages)).toBeLessThanOrEqual(CONTEXT_TOKENS - REPLY_TOKENS);
    expect(body.max_tokens).toBe(REPLY_TOKENS);
    const system = body.messages[0]?.content ?? "";
    expect(system).toContain("Current mood:");
    expect(system).toContain("pinned fact 24"); // the newest pinned memory wins the space
    expect(system).not.toContain("pinned fact 0 ");
    expect(body.messages.at(-1)?.content).toBe(long("newest message", 8).trim());
    // The window keeps the newest turns and drops the oldest.
    expect(body.messages.some((m) => m.content.startsWith("turn 59"))).toBe(true);
    expect(body.messages.some((m) => m.content.startsWith("turn 0 "))).toBe(false);

    // A message as long as the API allows still fits: it is cut, never the budget.
    const huge = await promptOf(user, companionId, "x ".repeat(2000));
    expect(estimateMessagesTokens(huge.messages)).toBeLessThanOrEqual(CONTEXT_TOKENS - REPLY_TOKENS);
    expect(huge.messages.at(-1)?.role).toBe("user");
    expect(huge.messages[0]?.content).toContain("Current mood:");
  });

  it("answers a key once under 20 concurrent sends and streams: one model call, identical results", async () => {
    const { user, companionId } = await connectedUser();
    fake.setBehavior({ mode: "ok", delayMs: 300 });
    await t.settle();
    fake.resetCounters();
    const input = { companionId, content: "Racing myself here", idempotencyKey: newKey() };
    // Separate clients, so each call is its own HTTP request rather than one batch.
    const clientOf = () => createClient({ url: t.url, getAccessToken: () => user.accessToken });
    const [sends, streams] = await Promise.all([
      Promise.all(Array.from({ length: 14 }, () => clientOf().messages.send.mutate(input))),
      Promise.all(Array.from({ length: 6 }, () => streamToEnd(clientOf(), input))),
    ]);
    await t.settle();

    const first = sends[0];
    for (const result of sends) expect(result).toEqual(first);
    for (const events of streams) expect(events.at(-1)).toEqual({ type: "done", ...first });
    const calls = await callsOf(t.database.db, user.id);
    expect(calls.filter((c) => c.purpose === "chat")).toHaveLength(1);
    // One chat completion, one sentiment classification and one memory extraction reached the provider.
    expect(fake.requestCount).toBe(3);
    expect(await storedMessages(t.database.db, user.id, companionId)).toHaveLength(2);
  });

  it("a disconnect mid-stream aborts the upstream request and saves the partial reply", async () => {
    const { user, companionId } = await connectedUser();
    const reply = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    fake.setBehavior({ mode: "ok", reply, chunkDelayMs: 40 });
    await t.settle();
    fake.resetCounters();

    const seen: StreamEvent[] = [];
    const { userMessage } = await user.api.messages.start.mutate({ companionId, content: "Tell me a long story", idempotencyKey: newKey() });
    await new Promise<void>((resolve, reject) => {
      const sub = user.api.messages.stream.subscribe(
        { messageId: userMessage.id },
        {
          onData: (event) => {
            seen.push(event);
            if (seen.length === 3) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    await waitFor(() => fake.abortedCount === 1);
    await t.settle();

    const shown = seen.map((e) => (e.type === "token" ? e.text : "")).join("");
    const rows = await storedMessages(t.database.db, user.id, companionId);
    const saved = rows.find((r) => r.role === "assistant");
    expect(saved?.status).toBe("partial");
    expect(saved?.provider).toBe("openai");
    expect(saved?.replyToId).toBe(rows.find((r) => r.role === "user")?.id);
    expect(saved?.content.startsWith(shown)).toBe(true);
    expect(saved?.content.length).toBeLessThan(reply.length);
    const calls = await callsOf(t.database.db, user.id);
    expect(calls.filter((c) => c.purpose === "chat").map((c) => c.outcome)).toEqual(["aborted"]);
  });
});
