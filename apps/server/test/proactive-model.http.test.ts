/**
 * Companions writing first with a model (the fake OpenAI server): the model's text is sent,
 * cleaned; a model that is down, or answers empty or far too long, costs nothing: the offline
 * line goes out instead (docs/proactive.md, "Text").
 */
import { randomBytes } from "node:crypto";
import { createFakeOpenAIServer, type FakeRequest } from "@companion/ai/testing";
import { aiCalls, memories, relationshipStates } from "@companion/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "3000", AI_MAX_RETRIES: "0" });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

const isProactive = (req: FakeRequest) => req.messages[0]?.content.includes("Write the first message") ?? false;

async function awayPair(): Promise<{ user: SignedInUser; companionId: string }> {
  const user = await signUp(t, "Sam");
  await user.api.settings.update.mutate({ quietHours: null });
  const slug = `pm-${randomBytes(4).toString("hex")}`;
  const { [slug]: companionId } = await createPublicCompanions(t, [slug]);
  if (!companionId) throw new Error("no companion");
  await user.api.companions.connect.mutate({ companionId });
  await t.database.db
    .update(relationshipStates)
    .set({ lastInteractionAt: new Date(Date.now() - 80 * 3_600_000) })
    .where(and(eq(relationshipStates.userId, user.id), eq(relationshipStates.companionId, companionId)));
  await t.database.db.insert(memories).values({ userId: user.id, companionId, content: "Adopted a dog called Rex.", factKey: "pet:rex", source: "auto", importance: 7 });
  return { user, companionId };
}

async function sendFor(user: SignedInUser, companionId: string) {
  await t.server.runtime.jobs.send("proactive.send", { userId: user.id, companionId });
  await t.settle();
  const page = await user.api.messages.list.query({ companionId });
  return page.items.filter((m) => m.proactive);
}

describe("proactive text from the model", () => {
  it("sends the model's text, quotes stripped, from a prompt with the persona and memories; the call is recorded", async () => {
    const { user, companionId } = await awayPair();
    const seen: FakeRequest[] = [];
    fake.setBehavior({
      mode: "ok",
      replyFor: (req) => {
        if (!isProactive(req)) return undefined;
        seen.push(req);
        return '"Hey Sam! How is Rex settling in?"';
      },
    });
    const sent = await sendFor(user, companionId);
    expect(sent.map((m) => m.content)).toEqual(["Hey Sam! How is Rex settling in?"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.messages[0]?.content).toContain("Adopted a dog called Rex.");
    const calls = await t.database.db.select({ purpose: aiCalls.purpose, outcome: aiCalls.outcome }).from(aiCalls).where(eq(aiCalls.userId, user.id));
    expect(calls).toContainEqual({ purpose: "proactive", outcome: "ok" });
  });

  it("model down: the offline line is sent (the message is not lost), from the memories", async () => {
    const { user, companionId } = await awayPair();
    fake.setBehavior({ mode: "status", status: 503 });
    const sent = await sendFor(user, companionId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content).toContain("Rex");
    const calls = await t.database.db.select({ purpose: aiCalls.purpose, outcome: aiCalls.outcome }).from(aiCalls).where(eq(aiCalls.userId, user.id));
    expect(calls.some((c) => c.purpose === "proactive" && c.outcome !== "ok")).toBe(true);
  });

  it.each([
    ["empty", "   "],
    ["far too long", Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ")],
  ])("invalid output (%s): the offline line instead", async (_, reply) => {
    const { user, companionId } = await awayPair();
    fake.setBehavior({ mode: "ok", replyFor: (req) => (isProactive(req) ? reply : undefined) });
    const sent = await sendFor(user, companionId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content).toBe("Hey! How's Rex doing?");
  });
});
