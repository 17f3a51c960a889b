/** `pnpm admin user:quota` (docs/quotas.md): a person's usage today, their limits, and their overrides. */
import { aiCalls, companions, getQuotaUsage, insertUser, messages, upsertCompanions, userQuotas } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOn } from "./helpers.ts";

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
let userId: string;
const EMAIL = "quota@example.com";

beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
  userId = (await insertUser(db.db, { email: EMAIL, passwordHash: "x", displayName: "Quota" })).id;
  // Today: two messages to a companion and two model calls of 100 + 20 tokens.
  await upsertCompanions(db.db, [{ slug: "quota-companion", name: "Q", tagline: "t", bio: "b", traits: [], avatarUrl: "/a.svg", persona: { systemPrompt: "s", speakingStyle: "s", backstory: "b" } }]);
  const [companion] = await db.db.select({ id: companions.id }).from(companions).where(eq(companions.slug, "quota-companion"));
  if (!companion) throw new Error("no companion");
  await db.db.insert(messages).values([
    { userId, companionId: companion.id, role: "user", content: "one" },
    { userId, companionId: companion.id, role: "user", content: "two" },
    { userId, companionId: companion.id, role: "assistant", content: "a reply is not counted" },
  ]);
  const call = { userId, provider: "openai", model: "m", purpose: "chat" as const, outcome: "ok" as const, promptTokens: 100, completionTokens: 20, latencyMs: 5 };
  await db.db.insert(aiCalls).values([call, call]);
});
afterAll(async () => {
  await db.close();
});

const json = async (...argv: string[]) => {
  const res = await cli("user:quota", ...argv, "--json");
  expect(res, res.err).toMatchObject({ code: 0, err: "" });
  return JSON.parse(res.out) as Record<string, unknown>;
};

describe("user:quota", () => {
  it("shows usage today against the deployment's defaults", async () => {
    expect(await json(EMAIL)).toEqual({
      userId,
      email: EMAIL,
      day: new Date().toISOString().slice(0, 10),
      timeZone: "UTC",
      resetsAt: expect.stringMatching(/T00:00:00\.000Z$/),
      messages: { used: 2, limit: 500, override: null, default: 500 },
      tokens: { used: 240, limit: 200_000, override: null, default: 200_000 },
    });
    const human = await cli("user:quota", userId);
    expect(human.code).toBe(0);
    expect(human.lines).toContain("messages: 2 of 500 (default)");
  });

  it("sets, clears and lifts a person's own limits, which the chat path reads", async () => {
    expect(await json(EMAIL, "--messages", "5", "--tokens", "1000")).toMatchObject({
      messages: { used: 2, limit: 5, override: 5 },
      tokens: { used: 240, limit: 1000, override: 1000 },
    });
    // What the server computes for the person: the same limits.
    const usage = await getQuotaUsage(db.db, { userId, now: new Date(), defaults: { messagesPerDay: 500, tokensPerDay: 200_000 } });
    expect(usage).toMatchObject({ messages: { limit: 5 }, tokens: { limit: 1000 } });

    // Only the flag given changes; `unlimited` is 0, shown as no limit.
    expect(await json(EMAIL, "--tokens", "unlimited")).toMatchObject({ messages: { limit: 5, override: 5 }, tokens: { limit: null, override: 0 } });
    expect((await cli("user:quota", EMAIL)).lines).toContain("tokens:   240 of unlimited (own limit)");

    // Back to the defaults: the row goes.
    expect(await json(EMAIL, "--messages", "default", "--tokens", "default")).toMatchObject({ messages: { limit: 500, override: null }, tokens: { limit: 200_000, override: null } });
    expect(await db.db.select().from(userQuotas).where(eq(userQuotas.userId, userId))).toEqual([]);
  });

  it("refuses a bad limit before opening the database, and answers NOT_FOUND for an unknown user", async () => {
    const opened = cli.opened();
    for (const value of ["-1", "many", "1.5", "3000000000"]) {
      const res = await cli("user:quota", EMAIL, `--messages=${value}`);
      expect(res, value).toMatchObject({ code: 64, out: "" });
      expect(res.err).toMatch(/^--messages: must be/);
    }
    expect(await cli("user:quota", "not-an-email")).toMatchObject({ code: 64 });
    expect(cli.opened()).toBe(opened);
    const unknown = await cli("user:quota", "nobody@example.com", "--json");
    expect(unknown).toMatchObject({ code: 1, out: "" });
    expect(JSON.parse(unknown.err)).toEqual({ error: { code: "NOT_FOUND", message: "User not found" } });
  });
});
