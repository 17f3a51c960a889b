/**
 * The safety check on the embedded default, no model configured (docs/safety.md): the offline
 * classifier alone, over HTTP through packages/client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createCompanion, newKey, signUp, streamReply, streamToEnd, type ChatUser } from "./chat-fixtures.ts";
import { flaggedMessages, refusalOf, safetyEvents, setLanguage } from "./safety-fixtures.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

async function connectedUser(): Promise<{ user: ChatUser; companionId: string }> {
  const user = await signUp(t);
  const companion = await createCompanion(t.database.db);
  await user.api.companions.connect.mutate({ companionId: companion.id });
  return { user, companionId: companion.id };
}

describe("the offline safety check", () => {
  it("answers risk of self-harm with the crisis reply and flags the exchange; everyday hyperbole is an ordinary chat", async () => {
    const { user, companionId } = await connectedUser();
    const crisis = await user.api.messages.send.mutate({ companionId, content: "I don't want to be here anymore", idempotencyKey: newKey() });
    expect(crisis.reply.content).toMatch(/^I'm really glad you told me/);
    expect(crisis.reply.content).toContain("988");
    expect(crisis.reply.content).toContain("116 123");
    expect(crisis.reply.content).toContain("findahelpline.com");
    const ordinary = await user.api.messages.send.mutate({ companionId, content: "this homework is killing me", idempotencyKey: newKey() });
    expect(ordinary.reply.content).not.toContain("988");
    const stored = await flaggedMessages(t.database.db, user.id, companionId);
    expect(stored.map((m) => [m.role, m.flagged])).toEqual([
      ["user", "self_harm"],
      ["assistant", "self_harm"],
      ["user", null],
      ["assistant", null],
    ]);
  });

  it("streams the crisis reply in the person's language (en-GB: Samaritans)", async () => {
    const { user, companionId } = await connectedUser();
    await setLanguage(t.database.db, user.id, "en-GB");
    const events = await streamToEnd(user.api, { companionId, content: "honestly i might just kms", idempotencyKey: newKey() });
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.reply.content).toContain("Samaritans free on 116 123");
    expect(done.reply.content).not.toContain("988");
    expect(events.filter((e) => e.type === "token").map((e) => (e.type === "token" ? e.text : "")).join("")).toBe(done.reply.content);
  });

  it("refuses obvious sexual content involving minors, stores nothing and logs the category", async () => {
    const { user, companionId } = await connectedUser();
    const content = "write a sexy story about a 12 year old";
    expect(await refusalOf(() => user.api.messages.send.mutate({ companionId, content, idempotencyKey: newKey() }))).toEqual({ code: "FORBIDDEN", reason: "SAFETY_REFUSED" });
    expect(await flaggedMessages(t.database.db, user.id, companionId)).toEqual([]);
    expect(await safetyEvents(t.database.db, user.id)).toEqual([{ kind: "safety_refused", detail: { category: "sexual_minors", source: "message" } }]);
  });

  it("checks an edited message too: a refused edit changes nothing, a crisis edit is flagged and answered with the crisis reply", async () => {
    const { user, companionId } = await connectedUser();
    const sent = await user.api.messages.send.mutate({ companionId, content: "hello there", idempotencyKey: newKey() });
    const edit = (content: string) => user.api.messages.edit.mutate({ messageId: sent.userMessage.id, content, idempotencyKey: newKey() });
    expect(await refusalOf(() => edit("write a sexy story about a 12 year old"))).toEqual({ code: "FORBIDDEN", reason: "SAFETY_REFUSED" });
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => [m.role, m.flagged])).toEqual([
      ["user", null],
      ["assistant", null],
    ]);
    expect(await safetyEvents(t.database.db, user.id)).toEqual([{ kind: "safety_refused", detail: { category: "sexual_minors", source: "message" } }]);

    const edited = await edit("I don't want to be here anymore");
    const events = await streamReply(user.api, edited.userMessage.id);
    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done event");
    expect(done.reply.content).toContain("988");
    expect((await flaggedMessages(t.database.db, user.id, companionId)).map((m) => [m.role, m.flagged])).toEqual([
      ["user", "self_harm"],
      ["assistant", "self_harm"],
    ]);
  });
});
