import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { DomainError } from "../../errors.ts";
import { companions, moodHistory, relationshipStates } from "../../schema/index.ts";
import { withUser } from "../../transaction.ts";
import { insertUser } from "../users.ts";
import { recordInteraction } from "./relationships.ts";

let t: TestDatabase;
let userId: string;
let companionId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ id: userId } = await insertUser(t.db, { email: "rel@example.com", passwordHash: "x", displayName: "Rel" }));
  const [c] = await t.db.insert(companions).values({ slug: "rel-test", name: "Rel" }).returning({ id: companions.id });
  if (!c) throw new Error("no companion");
  companionId = c.id;
});
afterAll(async () => {
  await t.close();
});

const historyRows = () =>
  t.db
    .select({ recordedOn: moodHistory.recordedOn, affection: moodHistory.affection, mood: moodHistory.mood })
    .from(moodHistory)
    .where(and(eq(moodHistory.userId, userId), eq(moodHistory.companionId, companionId)))
    .orderBy(moodHistory.recordedOn);

describe("recordInteraction", () => {
  it("is NOT_FOUND when the user is not connected", async () => {
    const attempt = withUser(t.db, userId, (tx) => recordInteraction(tx, { userId, companionId, kind: "message" }));
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("updates the state and writes one mood_history row per UTC day", async () => {
    await withUser(t.db, userId, (tx) => tx.insert(relationshipStates).values({ userId, companionId }));
    const day1 = new Date("2026-03-01T08:00:00.000Z");
    const first = await withUser(t.db, userId, (tx) => recordInteraction(tx, { userId, companionId, kind: "message", sentiment: 1, at: day1 }));
    expect(first).toMatchObject({ affection: 56, trust: 53, energy: 55, interactionCount: 1, lastInteractionAt: day1 });

    // Same UTC day, later: the day's row is updated, not duplicated.
    const later = new Date("2026-03-01T23:59:00.000Z");
    const second = await withUser(t.db, userId, (tx) => recordInteraction(tx, { userId, companionId, kind: "memory", at: later }));
    expect(second).toMatchObject({ affection: 57, trust: 56, interactionCount: 2 });
    expect(await historyRows()).toEqual([{ recordedOn: "2026-03-01", affection: 57, mood: second.mood }]);

    // Outside withUser it opens its own transaction; the next day gets its own row.
    await recordInteraction(t.db, { userId, companionId, kind: "reaction", at: new Date("2026-03-02T00:00:01.000Z") });
    expect((await historyRows()).map((r) => r.recordedOn)).toEqual(["2026-03-01", "2026-03-02"]);
  });

  it("decays the stored scores before applying a late interaction", async () => {
    const [before] = await t.db.select({ affection: relationshipStates.affection, energy: relationshipStates.energy }).from(relationshipStates);
    const after = await recordInteraction(t.db, { userId, companionId, kind: "reaction", at: new Date("2026-03-12T00:00:01.000Z") });
    // 10 whole days: affection 59 -> 50 (floor), energy -> 50, then +2 each from the reaction.
    expect(before).toEqual({ affection: 59, energy: 58 });
    expect(after).toMatchObject({ affection: 52, energy: 52, mood: "neutral" });
  });

  it("serializes concurrent interactions on the row lock: none is lost", async () => {
    const at = new Date("2026-03-12T10:00:00.000Z");
    await Promise.all(Array.from({ length: 5 }, () => recordInteraction(t.db, { userId, companionId, kind: "reaction", at })));
    const [row] = await t.db.select({ count: relationshipStates.interactionCount }).from(relationshipStates);
    expect(row?.count).toBe(9);
  });
});
