import type { RouterInputs, RouterOutputs } from "@companion/client";
import { insertMessage, memories } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { PERSONA_MARKER, createPrivateCompanion, createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";

type Memory = RouterOutputs["memories"]["list"]["items"][number];

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let luna: string;
let rex: string;
let mira: string; // nobody connects
const outputs: unknown[] = [];
const seen = <T>(value: T): T => {
  outputs.push(value);
  return value;
};

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ({ luna = "", rex = "", mira = "" } = await createPublicCompanions(t, ["luna", "rex", "mira"]));
  for (const companionId of [luna, rex]) {
    await alice.api.companions.connect.mutate({ companionId });
    await bob.api.companions.connect.mutate({ companionId });
  }
});
afterAll(async () => {
  await t.stop();
});

/** Every memory of a list, walking its pages with `limit`. */
async function walk(api: SignedInUser["api"], input: Omit<RouterInputs["memories"]["list"], "cursor">): Promise<{ items: Memory[]; pages: number }> {
  const items: Memory[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = seen(await api.memories.list.query({ ...input, ...(cursor ? { cursor } : {}) }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

describe("memories through packages/client over HTTP", () => {
  it("creates a free-text memory and records a memory interaction", async () => {
    const input: RouterInputs["memories"]["create"] = { companionId: luna, title: " First ", content: "We watched the Perseids." };
    const m = seen(await alice.api.memories.create.mutate(input));
    expect(m).toMatchObject({ companionId: luna, messageId: null, title: "First", content: "We watched the Perseids.", pinned: false });
    const rel = await alice.api.companions.relationship.query({ companionId: luna });
    expect(rel).toMatchObject({ interactionCount: 1, trust: 53, affection: 51 });
    expect(rel.history.entries).toHaveLength(1);
  });

  it("is NOT_FOUND for a companion I am not connected to, or may not see", async () => {
    const privateOfBob = await createPrivateCompanion(t, bob.id);
    for (const companionId of [mira, privateOfBob]) {
      expect((await failureOf(alice.api.memories.create.mutate({ companionId, content: "x" }))).code).toBe("NOT_FOUND");
    }
    expect((await failureOf(alice.api.memories.list.query({ companionId: privateOfBob, limit: 5 }))).code).toBe("NOT_FOUND");
  });

  it("saves one of my messages, copying it and keeping the link, once", async () => {
    const msg = await insertMessage(t.database.db, { userId: alice.id, companionId: rex, role: "assistant", content: "Sunrise hike tomorrow?" });
    const before = (await alice.api.companions.relationship.query({ companionId: rex })).interactionCount;
    const m = seen(await alice.api.memories.create.mutate({ messageId: msg.id, title: "Plan" }));
    expect(m).toMatchObject({ companionId: rex, messageId: msg.id, title: "Plan", content: "Sunrise hike tomorrow?" });
    const again = seen(await alice.api.memories.create.mutate({ messageId: msg.id }));
    expect(again.id).toBe(m.id);
    expect((await alice.api.companions.relationship.query({ companionId: rex })).interactionCount).toBe(before + 1);
  });

  it("saving someone else's message is NOT_FOUND", async () => {
    const bobs = await insertMessage(t.database.db, { userId: bob.id, companionId: rex, role: "user", content: "bob's secret" });
    expect((await failureOf(alice.api.memories.create.mutate({ messageId: bobs.id }))).code).toBe("NOT_FOUND");
    const mine = await walk(alice.api, { limit: 100 });
    expect(JSON.stringify(mine.items)).not.toContain("bob's secret");
  });

  it("another user cannot update or delete my memory", async () => {
    const m = await alice.api.memories.create.mutate({ companionId: luna, content: "only mine" });
    expect((await failureOf(bob.api.memories.update.mutate({ memoryId: m.id, pinned: true }))).code).toBe("NOT_FOUND");
    expect((await failureOf(bob.api.memories.delete.mutate({ memoryId: m.id }))).code).toBe("NOT_FOUND");
    const still = (await walk(alice.api, { companionId: luna, limit: 50 })).items.find((x) => x.id === m.id);
    expect(still).toMatchObject({ content: "only mine", pinned: false });
  });

  it("updates title, content and pinned; deletes once", async () => {
    const m = await alice.api.memories.create.mutate({ companionId: luna, content: "draft" });
    const updated = seen(await alice.api.memories.update.mutate({ memoryId: m.id, title: "Final", content: "edited", pinned: true }));
    expect(updated).toMatchObject({ id: m.id, title: "Final", content: "edited", pinned: true });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(m.updatedAt));
    expect(await alice.api.memories.delete.mutate({ memoryId: m.id })).toEqual({ deleted: true });
    expect((await failureOf(alice.api.memories.delete.mutate({ memoryId: m.id }))).code).toBe("NOT_FOUND");
    expect((await failureOf(alice.api.memories.update.mutate({ memoryId: m.id, pinned: false }))).code).toBe("NOT_FOUND");
  });

  it("lists pinned first, then newest; a keyset walk returns every memory exactly once despite tied timestamps", async () => {
    const base = Date.UTC(2026, 0, 1);
    // 5 timestamps x 4 rows, every other one pinned: ties in created_at within and across the pinned flag.
    const rows = Array.from({ length: 20 }, (_, i) => ({
      userId: bob.id,
      companionId: luna,
      content: `tie ${i}`,
      pinned: i % 2 === 0,
      createdAt: new Date(base + Math.floor(i / 4) * 1000),
    }));
    await t.database.db.insert(memories).values(rows);
    await t.database.db.insert(memories).values({ userId: bob.id, companionId: rex, content: "rex one", createdAt: new Date(base) });
    const { items, pages } = await walk(bob.api, { companionId: luna, limit: 3 });
    expect(pages).toBe(7);
    expect(new Set(items.map((m) => m.id)).size).toBe(20);
    const order = items.map((m) => [m.pinned ? 1 : 0, Date.parse(m.createdAt), m.id] as const);
    const sorted = [...order].sort((a, b) => b[0] - a[0] || b[1] - a[1] || (a[2] < b[2] ? 1 : a[2] > b[2] ? -1 : 0));
    expect(order).toEqual(sorted);
    expect(items.slice(0, 10).every((m) => m.pinned)).toBe(true);

    // Without companionId: all of mine, across companions, still exactly once and in order.
    const all = await walk(bob.api, { limit: 4 });
    expect(all.items).toHaveLength(21);
    expect(new Set(all.items.map((m) => m.id)).size).toBe(21);
    expect(all.items.filter((m) => m.companionId === rex).map((m) => m.content)).toEqual(["rex one"]);
    expect((await walk(alice.api, { limit: 100 })).items.some((m) => m.content.startsWith("tie "))).toBe(false);
  });

  it("rejects bad cursors and bad input with BAD_REQUEST and field errors", async () => {
    const messageStyle = Buffer.from(`${Date.now()}:00000000-0000-4000-8000-000000000000`).toString("base64url");
    const wrongFlag = Buffer.from(`2:${Date.now()}:00000000-0000-4000-8000-000000000000`).toString("base64url");
    for (const cursor of ["%%%", "bm90LWEtY3Vyc29y", messageStyle, wrongFlag]) {
      expect((await failureOf(alice.api.memories.list.query({ limit: 5, cursor }))).code).toBe("BAD_REQUEST");
    }
    const cases: [ReturnType<typeof failureOf>, string][] = [];
    const tooLongTitle = failureOf(alice.api.memories.create.mutate({ companionId: luna, title: "t".repeat(121), content: "ok" }));
    const tooLongContent = failureOf(alice.api.memories.create.mutate({ companionId: luna, content: "c".repeat(4001) }));
    const missingContent = failureOf(alice.api.memories.create.mutate({ companionId: luna }));
    const both = failureOf(alice.api.memories.create.mutate({ messageId: luna, companionId: luna }));
    const emptyUpdate = failureOf(alice.api.memories.update.mutate({ memoryId: luna }));
    cases.push([tooLongTitle, "title"], [tooLongContent, "content"], [missingContent, "content"], [both, "companionId"]);
    for (const [call, field] of cases) {
      const err = await call;
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.fieldErrors).toHaveProperty(field);
    }
    expect((await emptyUpdate).code).toBe("BAD_REQUEST");
  });

  it("never puts persona fields in any output", () => {
    const json = JSON.stringify(outputs);
    expect(outputs.length).toBeGreaterThan(10);
    expect(json).not.toContain(PERSONA_MARKER);
    expect(json).not.toMatch(/systemPrompt|speakingStyle|backstory/);
  });
});
