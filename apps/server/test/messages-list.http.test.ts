import type { RouterOutputs } from "@companion/client";
import { insertMessage } from "@companion/db";
import { createTestDatabase } from "@companion/db/testing";
import type { Logger } from "drizzle-orm/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createPrivateCompanion, createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { isDataQuery } from "./query-count.ts";

type HistoryItem = RouterOutputs["messages"]["list"]["items"][number];

// Every statement the server sends, to count the data queries of one page.
const statements: string[] = [];
const logger: Logger = { logQuery: (query) => statements.push(query) };

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let luna: string;
let rex: string;
const aliceLuna: string[] = []; // ids, in insertion order
let bobPrivate: string;

beforeAll(async () => {
  // No jobs in this process: their statements would be counted with the requests'.
  t = await startTestServer({ JOBS_IN_PROCESS: "false" }, { database: await createTestDatabase({ logger }) });
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ({ luna = "", rex = "" } = await createPublicCompanions(t, ["luna", "rex"]));
  bobPrivate = await createPrivateCompanion(t, bob.id);
  await alice.api.companions.connect.mutate({ companionId: luna });
  const base = Date.UTC(2026, 1, 1);
  // 23 messages over 6 timestamps: runs of tied created_at that pages must split correctly.
  for (let i = 0; i < 23; i++) {
    const createdAt = new Date(base + Math.floor(i / 4) * 60_000);
    const m = await insertMessage(t.database.db, { userId: alice.id, companionId: luna, role: i % 2 ? "assistant" : "user", content: `alice ${i}`, createdAt });
    aliceLuna.push(m.id);
    // Bob talks to the same companion at the same instants; none of it may reach Alice.
    await insertMessage(t.database.db, { userId: bob.id, companionId: luna, role: "user", content: `bob ${i}`, createdAt });
  }
  await insertMessage(t.database.db, { userId: alice.id, companionId: rex, role: "user", content: "alice to rex", createdAt: new Date(base) });
});
afterAll(async () => {
  await t.stop();
});

async function walk(api: SignedInUser["api"], companionId: string, limit: number): Promise<{ items: HistoryItem[]; pages: number }> {
  const items: HistoryItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await api.messages.list.query({ companionId, limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

describe("messages.list through packages/client over HTTP", () => {
  it("walks my history newest first, every message exactly once despite tied timestamps, and only mine", async () => {
    const { items, pages } = await walk(alice.api, luna, 5);
    expect(pages).toBe(5);
    expect(items).toHaveLength(23);
    expect(new Set(items.map((m) => m.id))).toEqual(new Set(aliceLuna));
    const keys = items.map((m) => [Date.parse(m.createdAt), m.id] as const);
    const sorted = [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    expect(keys).toEqual(sorted);
    expect(items.every((m) => m.content.startsWith("alice "))).toBe(true);
    // The newest instant holds messages 20..22; ties are ordered by id.
    expect(["alice 20", "alice 21", "alice 22"]).toContain(items[0]?.content);
    expect(items[0]?.status).toBe("complete");
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(["alternatives", "content", "createdAt", "id", "isMemorized", "proactive", "role", "status", "story"]);
    const bobs = await walk(bob.api, luna, 50);
    expect(bobs.items).toHaveLength(23);
    expect(bobs.items.every((m) => m.content.startsWith("bob "))).toBe(true);
  });

  it("marks exactly the messages I saved as memories", async () => {
    const [first, second] = aliceLuna;
    if (!first || !second) throw new Error("fixture");
    await alice.api.memories.create.mutate({ messageId: first });
    await alice.api.memories.create.mutate({ messageId: second });
    const memorized = (await walk(alice.api, luna, 100)).items.filter((m) => m.isMemorized).map((m) => m.id);
    expect(memorized.sort()).toEqual([first, second].sort());
    // Bob's copy of the conversation is unaffected by Alice's memories.
    expect((await walk(bob.api, luna, 100)).items.some((m) => m.isMemorized)).toBe(false);
  });

  it("issues exactly one data query per page, also deep in the history", async () => {
    const first = await alice.api.messages.list.query({ companionId: luna, limit: 5 });
    for (const cursor of [undefined, first.nextCursor ?? undefined]) {
      statements.length = 0;
      const page = await alice.api.messages.list.query({ companionId: luna, limit: 5, ...(cursor ? { cursor } : {}) });
      expect(page.items).toHaveLength(5);
      const data = statements.filter(isDataQuery);
      expect(data).toHaveLength(1);
      expect(data[0]).toMatch(/exists \(select 1 from memories mm where mm.message_id = "messages"."id"/);
    }
  });

  it("an empty history is an empty page; a companion I may not see is NOT_FOUND", async () => {
    expect(await bob.api.messages.list.query({ companionId: rex, limit: 5 })).toEqual({ items: [], nextCursor: null });
    expect((await failureOf(alice.api.messages.list.query({ companionId: bobPrivate, limit: 5 }))).code).toBe("NOT_FOUND");
    expect(await bob.api.messages.list.query({ companionId: bobPrivate, limit: 5 })).toEqual({ items: [], nextCursor: null });
  });

  it("rejects bad cursors and bad input with BAD_REQUEST", async () => {
    const pinnedStyle = Buffer.from(`1:${Date.now()}:00000000-0000-4000-8000-000000000000`).toString("base64url");
    const badId = Buffer.from(`${Date.now()}:not-a-uuid`).toString("base64url");
    for (const cursor of ["garbage", pinnedStyle, badId]) {
      expect((await failureOf(alice.api.messages.list.query({ companionId: luna, limit: 5, cursor }))).code).toBe("BAD_REQUEST");
    }
    const bad = await failureOf(alice.api.messages.list.query({ companionId: "luna", limit: 500 }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(Object.keys(bad.fieldErrors ?? {}).sort()).toEqual(["companionId", "limit"]);
  });
});
