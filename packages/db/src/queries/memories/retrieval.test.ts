/**
 * The prompt's retrieval score (docs/memory.md, "Retrieval score"): pinned memories apart, the
 * rest ordered by importance + recency + relevance, each 0..1, in one statement, as the app role.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companions, memories, relationshipStates } from "../../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { withUser } from "../../transaction.ts";
import { loadPromptMemories } from "./prompt.ts";
import { insertUser } from "../users.ts";
import { markMemoriesUsed } from "./auto.ts";

let t: TestDatabase;
let userId: string;
let companionId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ id: userId } = await insertUser(t.db, { email: `retrieval.${randomBytes(4).toString("hex")}@example.com`, passwordHash: "x", displayName: "R" }));
  const [c] = await t.db.insert(companions).values({ slug: `retrieval-${randomBytes(4).toString("hex")}`, name: "R", visibility: "public" }).returning({ id: companions.id });
  companionId = c!.id;
  await t.db.insert(relationshipStates).values({ userId, companionId });
});
afterAll(async () => {
  await t.close();
});

async function add(title: string, content: string, importance: number, ageHours: number, pinned = false) {
  const [row] = await t.db
    .insert(memories)
    .values({ userId, companionId, title, content, importance, pinned, source: "auto", createdAt: new Date(Date.now() - ageHours * HOUR) })
    .returning({ id: memories.id });
  return row!.id;
}

const load = (searchQuery: string | null, relevantLimit = 5) =>
  withUser(t.db, userId, (tx) => loadPromptMemories(tx, { userId, companionId, searchQuery, pinnedLimit: 10, relevantLimit }));

describe("loadPromptMemories' retrieval score", () => {
  it("weighs importance, recency and relevance equally, pinned memories apart", async () => {
    // important but a month old: 1 + 0.99^720 ≈ 1.00
    const important = await add("job", "Works as a ferry pilot.", 10, 720);
    // trivial but new: 0.11 + 1 ≈ 1.11
    const fresh = await add("snack", "Had toast for breakfast.", 2, 0);
    // middling, two days old, and about hiking: 0.44 + 0.99^48 (0.62) + relevance
    const hiking = await add("likes", "Loves hiking in the fells.", 5, 48);
    const pinned = await add("name", "Their name is Robin.", 9, 2000, true);

    const aboutHiking = await load("hiking or weekend");
    expect(aboutHiking.pinned.map((m) => m.id)).toEqual([pinned]);
    expect(aboutHiking.relevant.map((m) => m.id)).toEqual([hiking, fresh, important]);

    // Without a search query relevance is 0 for all: new beats middling beats old.
    expect((await load(null)).relevant.map((m) => m.id)).toEqual([fresh, hiking, important]);
    expect((await load(null, 1)).relevant.map((m) => m.id)).toEqual([fresh]);

    // Used by a prompt just now: its recency is back to 1, so the important one leads.
    await withUser(t.db, userId, (tx) => markMemoriesUsed(tx, { userId, memoryIds: [important], at: new Date() }));
    expect((await load(null)).relevant[0]?.id).toBe(important);
  });

  it("stamps a later use only, so a job run again changes nothing", async () => {
    const id = await add("misc", "Collects stamps.", 5, 1);
    const at = new Date(Date.now() - HOUR);
    expect(await withUser(t.db, userId, (tx) => markMemoriesUsed(tx, { userId, memoryIds: [id], at }))).toBe(1);
    expect(await withUser(t.db, userId, (tx) => markMemoriesUsed(tx, { userId, memoryIds: [id], at }))).toBe(0);
    expect(await withUser(t.db, userId, (tx) => markMemoriesUsed(tx, { userId, memoryIds: [id], at: new Date(at.getTime() - HOUR) }))).toBe(0);
  });
});
