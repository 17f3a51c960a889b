import { aiCallStats, aiCalls, insertAiCalls, type AiCallInput } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOn } from "./helpers.ts";

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
  const call = (over: Partial<AiCallInput>): AiCallInput => ({
    userId: null,
    provider: "openai",
    model: "gpt-4o-mini",
    purpose: "chat",
    outcome: "ok",
    promptTokens: 100,
    completionTokens: 20,
    latencyMs: 100,
    costUsd: 0.000027,
    ...over,
  });
  await insertAiCalls(db.db, [
    ...[100, 200, 300, 400].map((latencyMs) => call({ latencyMs })),
    call({ outcome: "timeout", latencyMs: 400, promptTokens: 0, completionTokens: 0, costUsd: 0 }),
    call({ provider: "offline", model: "persona-fallback", latencyMs: 1, promptTokens: 0, completionTokens: 0, costUsd: 0 }),
  ]);
  // Outside a 7-day window.
  await db.db.insert(aiCalls).values({ provider: "old", model: "m", purpose: "chat", outcome: "ok", latencyMs: 5, createdAt: new Date(Date.now() - 10 * 86_400_000) });
});
afterAll(async () => {
  await db.close();
});

describe("ai:stats", () => {
  it("aggregates calls per provider and model within the window", async () => {
    const stats = await aiCallStats(db.db, { since: new Date(Date.now() - 7 * 86_400_000) });
    expect(stats).toEqual([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        calls: 5,
        outcomes: { ok: 4, timeout: 1 },
        promptTokens: 400,
        completionTokens: 80,
        p50LatencyMs: 300,
        p95LatencyMs: 400,
        costUsd: expect.closeTo(0.000108, 9),
      },
      expect.objectContaining({ provider: "offline", calls: 1, outcomes: { ok: 1 }, costUsd: 0 }),
    ]);
  });

  it("prints a table through the CLI, and validates --days", async () => {
    const res = await cli("ai:stats", "--days", "7");
    expect(res.code).toBe(0);
    const [title, header, openai, offline, total] = res.lines;
    expect(title).toMatch(/last 7 day\(s\)/);
    expect(header).toMatch(/^provider\s+model\s+calls\s+outcomes\s+prompt tok\s+completion tok\s+p50 ms\s+p95 ms\s+cost USD$/);
    expect(openai).toMatch(/^openai\s+gpt-4o-mini\s+5\s+ok 4, timeout 1\s+400\s+80\s+300\s+400\s+0\.0001$/);
    expect(offline).toMatch(/^offline\s+persona-fallback\s+1\s+ok 1\s/);
    expect(total).toBe("total: 6 call(s), 0.0001 USD");
    expect(res.out).not.toContain("old");

    const all = await cli("ai:stats", "--days", "30");
    expect(all.out).toContain("old");
    const bad = await cli("ai:stats", "--days", "zero");
    expect(bad.code).toBe(64);
    expect(bad.err).toContain("--days: must be a whole number from 1 to 3650");
  });

  it("prints the rows as a JSON array with --json", async () => {
    const res = await cli("ai:stats", "--json");
    expect(res).toMatchObject({ code: 0, err: "" });
    const rows = JSON.parse(res.out) as { provider: string; calls: number; outcomes: Record<string, number> }[];
    expect(rows.map((r) => [r.provider, r.calls, r.outcomes])).toEqual([
      ["openai", 5, { ok: 4, timeout: 1 }],
      ["offline", 1, { ok: 1 }],
    ]);
  });
});
