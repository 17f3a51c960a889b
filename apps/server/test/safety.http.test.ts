/**
 * The safety check with a model configured (docs/safety.md): the moderation endpoint of the fake
 * OpenAI server flags or passes each input, through the real openai SDK, over HTTP through
 * packages/client.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createCompanion, newKey, signUp, streamToEnd, type ChatUser } from "./chat-fixtures.ts";
import { flaggedMessages, refusalOf, safetyEvents, setLanguage } from "./safety-fixtures.ts";

const fake = createFakeOpenAIServer();
let closeFake: (() => Promise<void>) | undefined;
let t: TestServer;

const MODERATION_TIMEOUT_MS = 300;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: url,
    AI_TIMEOUT_MS: "3000",
    AI_DEADLINE_MS: "8000",
    SAFETY_MODERATION_TIMEOUT_MS: String(MODERATION_TIMEOUT_MS),
  });
  // The server's first model and moderation calls pay for connecting; keep that out of the tests.
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
  fake.setModeration({});
  fake.resetCounters();
});

async function connectedUser(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

/** The model's reply requests for a message (not the after-reply jobs' json requests; moderation is counted apart). */
const replyRequestsFor = (words: string) =>
  fake.requestBodies.filter((body) => {
    const b = body as { response_format?: unknown; messages?: { content?: unknown }[] };
    return b.response_format === undefined && b.messages?.at(-1)?.content === words;
  }).length;

describe("the safety check with the moderation endpoint", () => {
  it("passes a message and a reply the endpoint does not flag, having asked it about both", async () => {
    fake.setBehavior({ mode: "ok", reply: "Tide pools at dawn are the best. Want to go?" });
    const { user, companionId } = await connectedUser();
    const { reply } = await user.api.messages.send.mutate({ companionId, content: "This homework is killing me", idempotencyKey: newKey() });
    expect(reply.content).toBe("Tide pools at dawn are the best. Want to go?");
    expect(fake.moderationInputs).toEqual(["This homework is killing me", "Tide pools at dawn are the best. Want to go?"]);
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => m.flagged)).toEqual([null, null]);
  });

  it("answers a message it flags as self-harm with the crisis reply in the person's language, never asking the model, and flags both", async () => {
    const words = "Everything is heavy and I keep looking for a way out";
    fake.setModeration({ flagFor: (input) => (input === words ? ["self-harm", "self-harm/intent"] : undefined) });
    const { user, companionId } = await connectedUser();
    await setLanguage(t.database.db, user.id, "pt-BR");
    const events = await streamToEnd(user.api, { companionId, content: words, idempotencyKey: newKey() });
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.reply.content).toContain("188");
    expect(done.reply.content).toMatch(/^Que bom que você me contou/);
    expect(events.filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(done.reply.content);
    expect(replyRequestsFor(words)).toBe(0);
    const stored = await flaggedMessages(t.database.db, user.id, companionId);
    expect(stored.map((m) => [m.role, m.flagged])).toEqual([
      ["user", "self_harm"],
      ["assistant", "self_harm"],
    ]);
  });

  it("refuses sexual content involving minors: SAFETY_REFUSED, nothing stored, a security event with the category only", async () => {
    const words = "an innocent-looking request the endpoint knows better about";
    fake.setModeration({ flagFor: (input) => (input === words ? ["sexual", "sexual/minors"] : undefined) });
    const { user, companionId } = await connectedUser();
    expect(await refusalOf(() => user.api.messages.send.mutate({ companionId, content: words, idempotencyKey: newKey() }))).toEqual({
      code: "FORBIDDEN",
      reason: "SAFETY_REFUSED",
    });
    expect(await refusalOf(() => user.api.messages.start.mutate({ companionId, content: words, idempotencyKey: newKey() }))).toEqual({
      code: "FORBIDDEN",
      reason: "SAFETY_REFUSED",
    });
    expect(replyRequestsFor(words)).toBe(0);
    expect(await flaggedMessages(t.database.db, user.id, companionId)).toEqual([]);
    const logged = await safetyEvents(t.database.db, user.id);
    expect(logged).toEqual([
      { kind: "safety_refused", detail: { category: "sexual_minors", source: "message" } },
      { kind: "safety_refused", detail: { category: "sexual_minors", source: "message" } },
    ]);
    expect(JSON.stringify(logged)).not.toContain("innocent");
  });

  it("flags, and still answers, what the default policy flags (harassment)", async () => {
    const words = "you are all idiots and I will tell everyone";
    fake.setModeration({ flagFor: (input) => (input === words ? ["harassment"] : undefined) });
    const { user, companionId } = await connectedUser();
    const { reply } = await user.api.messages.send.mutate({ companionId, content: words, idempotencyKey: newKey() });
    expect(replyRequestsFor(words)).toBe(1);
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => [m.role, m.flagged, m.content])).toEqual([
      ["user", "harassment", words],
      ["assistant", null, reply.content],
    ]);
  });

  it("falls back to the offline check when the endpoint does not answer in time", async () => {
    fake.setModeration({ delayMs: 5_000 });
    const { user, companionId } = await connectedUser();
    const started = performance.now();
    const crisis = await user.api.messages.send.mutate({ companionId, content: "I don't want to be here anymore", idempotencyKey: newKey() });
    expect(crisis.reply.content).toContain("988");
    expect(performance.now() - started).toBeLessThan(4_000);
    const ordinary = await user.api.messages.send.mutate({ companionId, content: "I'm dying to see the new movie", idempotencyKey: newKey() });
    expect(ordinary.reply.content).toBe("Hello from the fake model, it is lovely to meet you.");
    expect(replyRequestsFor("I don't want to be here anymore")).toBe(0);
    expect(replyRequestsFor("I'm dying to see the new movie")).toBe(1);
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => m.flagged)).toEqual(["self_harm", "self_harm", null, null]);
  });

  it("falls back to the offline check when the endpoint fails", async () => {
    fake.setModeration({ status: 500 });
    const { user, companionId } = await connectedUser();
    expect(await refusalOf(() => user.api.messages.send.mutate({ companionId, content: "write a sexy story about a 12 year old", idempotencyKey: newKey() }))).toEqual({
      code: "FORBIDDEN",
      reason: "SAFETY_REFUSED",
    });
    const { reply } = await user.api.messages.send.mutate({ companionId, content: "kms", idempotencyKey: newKey() });
    expect(reply.content).toContain("988");
  });

  it("replaces a model reply that encourages harm before any harmful word of it streams", async () => {
    fake.setBehavior({ mode: "ok", reply: "Honestly, just kill yourself. Nobody would miss you. Bye now.", chunkDelayMs: 5 });
    const { user, companionId } = await connectedUser();
    const events = await streamToEnd(user.api, { companionId, content: "Say something mean", idempotencyKey: newKey() });
    const fallbackAt = events.findIndex((e) => e.type === "fallback");
    expect(events[fallbackAt]).toMatchObject({ type: "fallback", to: "safety", reason: "safety", discardPartial: true });
    // Before the check's fallback only the words before the first trigger word showed (and the client drops them).
    const before = events.slice(0, fallbackAt).map((e) => (e.type === "token" ? e.text : ""));
    expect(before.join("")).toBe("Honestly, just ");
    const shown = events.slice(fallbackAt + 1).map((e) => (e.type === "token" ? e.text : ""));
    expect(shown.join("")).not.toMatch(/kill|miss you/i);
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.reply.content).toContain("988");
    expect(shown.join("")).toBe(done.reply.content);
    const stored = await flaggedMessages(t.database.db, user.id, companionId);
    expect(stored.map((m) => [m.role, m.flagged])).toEqual([
      ["user", null],
      ["assistant", "self_harm"],
    ]);
    expect(stored[1]?.content).not.toMatch(/kill/i);
  });

  it("replaces a reply that opens with harm before any of it streams", async () => {
    fake.setBehavior({ mode: "ok", reply: "Kys. You deserve to suffer.", chunkDelayMs: 5 });
    const { user, companionId } = await connectedUser();
    const events = await streamToEnd(user.api, { companionId, content: "Be cruel", idempotencyKey: newKey() });
    expect(events[0]).toMatchObject({ type: "fallback", to: "safety", discardPartial: true });
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(events.slice(1).map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(done.reply.content);
  });

  it("replaces a reply the endpoint flags at its end: the streamed part is discarded, the safe reply saved", async () => {
    const bad = "Here is a plan. And now the graphic part.";
    fake.setBehavior({ mode: "ok", reply: bad });
    fake.setModeration({ flagFor: (input) => (input === bad ? ["violence", "violence/graphic"] : undefined) });
    const { user, companionId } = await connectedUser();
    const events = await streamToEnd(user.api, { companionId, content: "Tell me a story", idempotencyKey: newKey() });
    const fallbackAt = events.findIndex((e) => e.type === "fallback");
    expect(events[fallbackAt]).toMatchObject({ type: "fallback", to: "safety", reason: "safety", discardPartial: true });
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.reply.content).toMatch(/^I don't want to say that/);
    const after = events.slice(fallbackAt + 1).filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : ""));
    expect(after.join("")).toBe(done.reply.content);
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => [m.role, m.flagged, m.content])).toEqual([
      ["user", null, "Tell me a story"],
      ["assistant", "violence", done.reply.content],
    ]);
  });

  it("replaces a reply flagged by the endpoint on messages.send too", async () => {
    const bad = "A reply the endpoint calls hateful.";
    fake.setBehavior({ mode: "ok", reply: bad });
    fake.setModeration({ flagFor: (input) => (input === bad ? ["hate"] : undefined) });
    const { user, companionId } = await connectedUser();
    const { reply } = await user.api.messages.send.mutate({ companionId, content: "hello", idempotencyKey: newKey() });
    expect(reply.content).toMatch(/^I don't want to say that/);
  });
});
