import { asc, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../testing/index.ts";
import { EVENT_RETENTION_MS, pruneEvents } from "./events.ts";
import { insertUser } from "./users.ts";

// A database of its own: pruneEvents walks the whole table by id, so events other tests
// write with the current time would stop the walk in front of the backdated ones here.
let handle: TestDatabase;
let userId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  ({ id: userId } = await insertUser(handle.db, { email: "retention@example.com", passwordHash: "x", displayName: "R" }));
});
afterAll(async () => {
  await handle.close();
});

const DAY = 86_400_000;

/** Inserts events created at the given times, in that order (so ids ascend with the list). */
async function insertEvents(createdAts: Date[]): Promise<number[]> {
  const ids: number[] = [];
  for (const createdAt of createdAts) {
    const [row] = await handle.db
      .insert(events)
      .values({ userId, type: "story.viewed", payload: { storyId: userId, viewerId: userId }, createdAt })
      .returning({ id: events.id });
    if (!row) throw new Error("no event");
    ids.push(row.id);
  }
  return ids;
}

const remaining = async (ids: number[]) =>
  (await handle.db.select({ id: events.id }).from(events).where(inArray(events.id, ids)).orderBy(asc(events.id))).map((r) => r.id);

describe("pruneEvents", () => {
  it("deletes events older than the window in batches, and keeps the rest", async () => {
    const now = Date.now();
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    const old = await insertEvents([new Date(now - 30 * DAY), new Date(now - 8 * DAY), new Date(olderThan.getTime() - 1)]);
    const young = await insertEvents([olderThan, new Date(now - DAY), new Date(now)]);

    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(3);
    expect(await remaining([...old, ...young])).toEqual(young);
    // Nothing left to do: a second run deletes nothing.
    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(0);
    expect(await remaining(young)).toEqual(young);
  });

  it("stops at the first batch with an event not due yet; an old one behind it goes once that one is due", async () => {
    await handle.db.delete(events);
    const now = Date.now();
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    // A straggler: created (at its transaction's start) before the window, but inserted after a young event.
    const ids = await insertEvents([new Date(now), new Date(now - 8 * DAY)]);
    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(0);
    expect(await remaining(ids)).toEqual(ids);
    expect(await pruneEvents(handle.db, { olderThan: new Date(now + 1), batchSize: 1 })).toBe(2);
    expect(await remaining(ids)).toEqual([]);
  });

  it("counts each event once when two runs prune at the same time", async () => {
    await handle.db.delete(events);
    const now = Date.now();
    const old = await insertEvents(Array.from({ length: 20 }, (_, i) => new Date(now - 10 * DAY + i)));
    const young = await insertEvents([new Date(now)]);
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    const [a, b] = await Promise.all([pruneEvents(handle.db, { olderThan, batchSize: 1 }), pruneEvents(handle.db, { olderThan, batchSize: 1 })]);
    expect((a ?? 0) + (b ?? 0)).toBe(20);
    expect(await remaining([...old, ...young])).toEqual(young);
  });
});
