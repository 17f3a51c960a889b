import { asc, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventRetention, events } from "../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../testing/index.ts";
import { INSUFFICIENT_PRIVILEGE, sqlState } from "../testing/rls-fixture.ts";
import { withUser } from "../transaction.ts";
import { EVENT_RETENTION_MS, pruneEvents, prunedThroughEventId } from "./events.ts";
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
const watermark = () => prunedThroughEventId(handle.db);

describe("pruneEvents", () => {
  it("deletes events older than the window in batches, and keeps the rest", async () => {
    const now = Date.now();
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    const old = await insertEvents([new Date(now - 30 * DAY), new Date(now - 8 * DAY), new Date(olderThan.getTime() - 1)]);
    const young = await insertEvents([olderThan, new Date(now - DAY), new Date(now)]);
    expect(await watermark()).toBe(0); // nothing pruned yet (a fresh database has no row)

    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(3);
    expect(await remaining([...old, ...young])).toEqual(young);
    expect(await watermark()).toBe(old[2]);
    // Nothing left to do: a second run deletes nothing, and leaves the watermark alone.
    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(0);
    expect(await remaining(young)).toEqual(young);
    expect(await watermark()).toBe(old[2]);
  });

  it("stops at the first batch with an event not due yet; an old one behind it goes once that one is due", async () => {
    await handle.db.delete(events);
    const now = Date.now();
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    // A straggler: created (at its transaction's start) before the window, but inserted after a young event.
    const ids = await insertEvents([new Date(now), new Date(now - 8 * DAY)]);
    const before = await watermark();
    expect(await pruneEvents(handle.db, { olderThan, batchSize: 1 })).toBe(0);
    expect(await remaining(ids)).toEqual(ids);
    expect(await watermark()).toBe(before);
    expect(await pruneEvents(handle.db, { olderThan: new Date(now + 1), batchSize: 1 })).toBe(2);
    expect(await remaining(ids)).toEqual([]);
    expect(await watermark()).toBe(ids[1]);
  });

  it("the watermark is the highest id deleted, even with a lower id kept", async () => {
    await handle.db.delete(events);
    const now = Date.now();
    const olderThan = new Date(now - EVENT_RETENTION_MS);
    // One batch holds a young event and, behind it, an old one: the old one goes, the young one stays.
    const ids = await insertEvents([new Date(now), new Date(now - 8 * DAY)]);
    expect(await pruneEvents(handle.db, { olderThan, batchSize: 10 })).toBe(1);
    expect(await remaining(ids)).toEqual([ids[0]]);
    expect(await watermark()).toBe(ids[1]);
  });

  it("the watermark never goes down, e.g. when a run that deleted lower ids commits last", async () => {
    const before = await watermark();
    const ahead = before + 1000; // as if another run had already deleted up to here
    await handle.db.update(eventRetention).set({ prunedThroughId: ahead });
    await insertEvents([new Date(Date.now() - 9 * DAY)]);
    expect(await pruneEvents(handle.db, { olderThan: new Date(Date.now() - EVENT_RETENTION_MS), batchSize: 10 })).toBe(1);
    expect(await watermark()).toBe(ahead);
    await handle.db.update(eventRetention).set({ prunedThroughId: before });
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
    expect(await watermark()).toBe(old.at(-1));
  });
});

describe("the retention watermark under RLS", () => {
  it("a signed-in request reads it; without a user id the app role sees nothing", async () => {
    const expected = await watermark();
    expect(expected).toBeGreaterThan(0);
    expect(await withUser(handle.db, userId, (tx) => prunedThroughEventId(tx))).toBe(expected);
    const unscoped = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'companion_app', true)`);
      return prunedThroughEventId(tx);
    });
    expect(unscoped).toBe(0);
  });

  it("request code cannot write it: permission denied for insert, update and delete", async () => {
    const attempt = (statement: string) =>
      withUser(handle.db, userId, (tx) => tx.execute(sql.raw(statement))).then(
        () => null,
        (e: unknown) => sqlState(e) ?? e,
      );
    expect(await attempt("update event_retention set pruned_through_id = 0")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt("delete from event_retention")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await attempt("insert into event_retention (id, pruned_through_id) values (1, 0) on conflict do nothing")).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await watermark()).toBeGreaterThan(0);
  });

  it("holds one row only", async () => {
    const err = await handle.db
      .insert(eventRetention)
      .values({ id: 2, prunedThroughId: 1 })
      .then(
        () => null,
        (e: unknown) => sqlState(e) ?? e,
      );
    expect(err).toBe("23514"); // check_violation
  });
});
