/**
 * A new conversation opens with the companion's greeting (docs/relationship-model.md#greetings):
 * written by companions.connect, macros filled in, once per conversation, and part of the
 * history the model sees.
 */
import type { ChatMessage } from "@companion/ai";
import { FAKE_REPLY, createFakeOpenAIServer } from "@companion/ai/testing";
import { companions, demoCompanions, messages, seedDemoContent } from "@companion/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createCompanion, newKey, signUp, storedMessages, streamToEnd } from "./chat-fixtures.ts";

const GREETING = "Hi {{user}}! I'm {{char}}. <USER>, did <BOT> keep you waiting?";

const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let online: TestServer;
let offline: TestServer;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  [online, offline] = await Promise.all([
    startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, OPENAI_MODEL: "gpt-4o-mini", AI_TIMEOUT_MS: "3000", AI_DEADLINE_MS: "8000" }),
    startTestServer({}),
  ]);
});
afterAll(async () => {
  await Promise.all([online?.stop(), offline?.stop()]);
  await closeFake?.();
});

async function greetingCompanion(t: TestServer, greeting = GREETING) {
  const companion = await createCompanion(t.database.db);
  await t.database.db.update(companions).set({ greeting }).where(eq(companions.id, companion.id));
  return companion;
}

const expected = (companionName: string, userName: string) => `Hi ${userName}! I'm ${companionName}. ${userName}, did ${companionName} keep you waiting?`;

describe("greetings", () => {
  it("connect opens the conversation with the greeting, names filled in, as the first message", async () => {
    const user = await signUp(offline, "Ana");
    const companion = await greetingCompanion(offline);
    await user.api.companions.connect.mutate({ companionId: companion.id });

    const history = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    expect(history.items).toEqual([
      expect.objectContaining({ role: "assistant", content: expected(companion.name, "Ana"), status: "complete", proactive: false }),
    ]);
    const [row] = await offline.database.db.select({ replyToId: messages.replyToId, idempotencyKey: messages.idempotencyKey }).from(messages).where(eq(messages.id, history.items[0]?.id ?? ""));
    expect(row).toEqual({ replyToId: null, idempotencyKey: null });
  });

  it("connecting twice, or concurrently, writes one greeting", async () => {
    const user = await signUp(offline, "Ben");
    const companion = await greetingCompanion(offline);
    await Promise.all([1, 2, 3].map(() => user.api.companions.connect.mutate({ companionId: companion.id })));
    await user.api.companions.connect.mutate({ companionId: companion.id });
    const history = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    expect(history.items.map((m) => m.content)).toEqual([expected(companion.name, "Ben")]);
  });

  it("a reconnect after disconnect keeps the conversation and does not greet again; an empty one is greeted anew", async () => {
    const user = await signUp(offline, "Cy");
    const companion = await greetingCompanion(offline);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    await user.api.messages.send.mutate({ companionId: companion.id, content: "hello there", idempotencyKey: newKey() });
    expect((await user.api.companions.disconnect.mutate({ companionId: companion.id })).disconnected).toBe(true);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    const history = await user.api.messages.list.query({ companionId: companion.id, limit: 10 });
    // disconnect keeps messages: the same three, the greeting still the oldest.
    expect(history.items.map((m) => m.role)).toEqual(["assistant", "user", "assistant"]);
    expect(history.items.at(-1)?.content).toBe(expected(companion.name, "Cy"));

    // Messages gone (as after an account's data export and wipe): the next connection greets again.
    await offline.database.db.delete(messages).where(and(eq(messages.userId, user.id), eq(messages.companionId, companion.id)));
    await user.api.companions.disconnect.mutate({ companionId: companion.id });
    await user.api.companions.connect.mutate({ companionId: companion.id });
    expect((await user.api.messages.list.query({ companionId: companion.id, limit: 10 })).items.map((m) => m.content)).toEqual([expected(companion.name, "Cy")]);
  });

  it("a companion without a greeting opens an empty conversation", async () => {
    const user = await signUp(offline, "Dee");
    const companion = await greetingCompanion(offline, "   ");
    await user.api.companions.connect.mutate({ companionId: companion.id });
    expect((await user.api.messages.list.query({ companionId: companion.id, limit: 10 })).items).toEqual([]);
  });

  it("the offline persona answers after a greeting; the history has all three", async () => {
    const user = await signUp(offline, "Eve");
    const companion = await greetingCompanion(offline);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    const sent = await user.api.messages.send.mutate({ companionId: companion.id, content: "Nice to meet you!", idempotencyKey: newKey() });
    expect(sent.reply.content.length).toBeGreaterThan(0);
    await offline.settle();
    const rows = await storedMessages(offline.database.db, user.id, companion.id);
    expect(rows.map((r) => [r.role, r.provider])).toEqual([
      ["assistant", null],
      ["user", null],
      ["assistant", "offline"],
    ]);
  });

  it("the model sees the greeting as the companion's first turn", async () => {
    const user = await signUp(online, "Fay");
    const companion = await greetingCompanion(online);
    await user.api.companions.connect.mutate({ companionId: companion.id });
    await online.settle();
    const before = fake.requestBodies.length;
    const events = await streamToEnd(user.api, { companionId: companion.id, content: "Not at all!", idempotencyKey: newKey() });
    expect(events.at(-1)).toMatchObject({ type: "done", reply: { content: FAKE_REPLY } });
    const body = fake.requestBodies[before] as { messages: ChatMessage[] };
    expect(body.messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ["assistant", expected(companion.name, "Fay")],
      ["user", "Not at all!"],
    ]);
  });

  it("every demo companion has a greeting; the seed fills it in where an older seed left none", async () => {
    for (const c of demoCompanions) expect(c.greeting?.trim().length ?? 0).toBeGreaterThan(0);
    const db = offline.database.db;
    await seedDemoContent(db);
    await db.update(companions).set({ greeting: "" }).where(eq(companions.slug, "luna"));
    await db.update(companions).set({ greeting: "Mine, {{user}}." }).where(eq(companions.slug, "rex"));
    await seedDemoContent(db);
    const rows = await db.select({ slug: companions.slug, greeting: companions.greeting }).from(companions);
    const bySlug = Object.fromEntries(rows.map((r) => [r.slug, r.greeting]));
    expect(bySlug.luna).toBe(demoCompanions.find((c) => c.slug === "luna")?.greeting);
    expect(bySlug.rex).toBe("Mine, {{user}}.");

    const user = await signUp(offline, "Gus");
    const [luna] = await db.select({ id: companions.id }).from(companions).where(eq(companions.slug, "luna"));
    if (!luna) throw new Error("demo companion luna was not seeded");
    await user.api.companions.connect.mutate({ companionId: luna.id });
    const [first] = (await user.api.messages.list.query({ companionId: luna.id, limit: 1 })).items;
    expect(first?.content).toMatch(/^Oh, hi Gus! I'm Luna\./);
  });
});
