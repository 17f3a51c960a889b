/**
 * The digest letter from a model (the fake OpenAI server, structured output "digest_letter"):
 * a valid answer is stored as `model`; invalid JSON, an empty letter or a model that is down
 * give the template letter, never a missing digest (docs/insights.md).
 */
import { randomBytes } from "node:crypto";
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { messages } from "@companion/db";
import { isoWeekOf, isoWeekStart } from "@companion/validators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, signUp } from "./companion-fixtures.ts";
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

const week = isoWeekOf(new Date(Date.now() - 7 * 86_400_000));
const start = Date.parse(isoWeekStart(week));

async function digestWith(reply: (schemaName: string | undefined) => string | undefined, mode: "ok" | "status" = "ok") {
  const user = await signUp(t, "Sam");
  const slug = `dm-${randomBytes(4).toString("hex")}`;
  const { [slug]: companionId } = await createPublicCompanions(t, [slug]);
  if (!companionId) throw new Error("no companion");
  await user.api.companions.connect.mutate({ companionId });
  await t.database.db.insert(messages).values({ userId: user.id, companionId, role: "user", content: "hi", createdAt: new Date(start + 3_600_000) });
  fake.setBehavior(mode === "ok" ? { mode, replyFor: (req) => reply(req.schemaName) } : { mode, status: 503 });
  await t.server.runtime.jobs.send("digests.build", { userId: user.id, companionId, week });
  await t.settle();
  return user.api.insights.digest.query({ companionId, week });
}

describe("the digest letter from a model", () => {
  it("a valid structured answer is the letter", async () => {
    const digest = await digestWith((name) => (name === "digest_letter" ? JSON.stringify({ letter: "What a week, Sam! Same time next week?" }) : undefined));
    expect(digest).toMatchObject({ method: "model", letter: "What a week, Sam! Same time next week?" });
  });

  it.each([
    ["invalid JSON", "this is not json {"],
    ["an empty letter", JSON.stringify({ letter: "  " })],
    ["the wrong shape", JSON.stringify({ text: "hello" })],
  ])("%s: the template letter", async (_, answer) => {
    const digest = await digestWith((name) => (name === "digest_letter" ? answer : undefined));
    expect(digest.method).toBe("template");
    expect(digest.letter).toContain("Dear Sam");
  });

  it("model down: the template letter", async () => {
    const digest = await digestWith(() => undefined, "status");
    expect(digest.method).toBe("template");
    expect(digest.stats.userMessages).toBe(1);
  });
});
