import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companions, stories, storyMedia } from "../../schema/index.ts";
import { demoCompanions, demoStories, renderDemoMedia, seedDemoContent } from "../../seed/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { expireStories } from "./expiry.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function insertStory(companionId: string, expiresAt: Date, deletedAt: Date | null = null): Promise<string> {
  const [row] = await handle.db
    .insert(stories)
    .values({ authorCompanionId: companionId, createdAt: new Date(expiresAt.getTime() - 24 * HOUR), expiresAt, deletedAt })
    .returning({ id: stories.id });
  if (!row) throw new Error("no story");
  await handle.db.insert(storyMedia).values({ storyId: row.id, sortOrder: 0, kind: "image", mediaKey: `x/${row.id}.svg` });
  return row.id;
}

const state = async (ids: string[]) => {
  const rows = await handle.db.select({ id: stories.id, deletedAt: stories.deletedAt }).from(stories).where(inArray(stories.id, ids));
  return Object.fromEntries(ids.map((id) => [id, rows.find((r) => r.id === id)?.deletedAt === null ? "live" : rows.some((r) => r.id === id) ? "soft" : "gone"]));
};

describe("expireStories", () => {
  it("soft-deletes stories past expiry, then hard-deletes them after the grace period", async () => {
    const [companion] = await handle.db.insert(companions).values({ slug: "expiry-test", name: "Expiry" }).returning({ id: companions.id });
    if (!companion) throw new Error("no companion");
    const t0 = new Date(Date.now() + 10 * HOUR); // a "now" ahead of the database clock: the job must use the given time
    const live = await insertStory(companion.id, new Date(t0.getTime() + MINUTE));
    const expired = await insertStory(companion.id, new Date(t0.getTime() - MINUTE));
    const alsoExpired = await insertStory(companion.id, new Date(t0.getTime() - 5 * HOUR));
    const longDeleted = await insertStory(companion.id, new Date(t0.getTime() - 5 * HOUR), new Date(t0.getTime() - 2 * HOUR));
    const ids = [live, expired, alsoExpired, longDeleted];

    // Batches of one: the loop must keep going until nothing is left.
    const first = await expireStories(handle.db, { now: t0, graceMs: HOUR, batchSize: 1 });
    expect(first).toMatchObject({ softDeleted: 2, hardDeleted: 1 });
    // The media keys of every story that left the reads come back for the storage purge.
    expect(first.mediaKeys.sort()).toEqual([expired, alsoExpired, longDeleted].map((id) => `x/${id}.svg`).sort());
    expect(await state(ids)).toEqual({ [live]: "live", [expired]: "soft", [alsoExpired]: "soft", [longDeleted]: "gone" });
    // The media of a purged story goes with it.
    expect(await handle.db.select({ id: storyMedia.id }).from(storyMedia).where(eq(storyMedia.storyId, longDeleted))).toEqual([]);

    // Again at once: nothing to do (soft-deleted ones are inside their grace period).
    expect(await expireStories(handle.db, { now: t0, graceMs: HOUR })).toEqual({ softDeleted: 0, hardDeleted: 0, mediaKeys: [] });
    // Past the grace period the soft-deleted ones go; the live one has expired by then too.
    const later = new Date(t0.getTime() + HOUR + MINUTE + 1);
    expect(await expireStories(handle.db, { now: later, graceMs: HOUR })).toMatchObject({ softDeleted: 1, hardDeleted: 2 });
    expect(await state(ids)).toEqual({ [live]: "soft", [expired]: "gone", [alsoExpired]: "gone", [longDeleted]: "gone" });
  });
});

describe("seedDemoContent", () => {
  it("creates the demo companions with 2 stories of 2-3 slides each, idempotently", async () => {
    const now = new Date();
    const first = await seedDemoContent(handle.db, { now });
    expect(first).toEqual({ companions: demoCompanions.length, stories: demoCompanions.length * 2 });
    expect(await seedDemoContent(handle.db, { now })).toEqual({ companions: 0, stories: 0 });

    const rows = await handle.db
      .select({ slug: companions.slug, storyId: stories.id, createdAt: stories.createdAt, expiresAt: stories.expiresAt, mediaKey: storyMedia.mediaKey })
      .from(stories)
      .innerJoin(companions, eq(companions.id, stories.authorCompanionId))
      .innerJoin(storyMedia, eq(storyMedia.storyId, stories.id))
      .where(inArray(companions.slug, demoCompanions.map((c) => c.slug)));
    const files = new Set(renderDemoMedia().map((f) => f.key));
    for (const c of demoCompanions) {
      const mine = rows.filter((r) => r.slug === c.slug);
      const slidesPerStory = new Map<string, number>();
      for (const r of mine) slidesPerStory.set(r.storyId, (slidesPerStory.get(r.storyId) ?? 0) + 1);
      const perStory = [...slidesPerStory.values()];
      expect(perStory).toHaveLength(2);
      for (const n of perStory) expect(n === 2 || n === 3).toBe(true);
      for (const r of mine) {
        expect(r.expiresAt.getTime() - r.createdAt.getTime()).toBe(24 * HOUR);
        expect(r.createdAt.getTime()).toBeLessThanOrEqual(now.getTime());
        // Every slide has its generated file.
        expect(files.has(r.mediaKey)).toBe(true);
      }
      expect(demoStories[c.slug]).toHaveLength(2);
    }

    // Once a companion has no live story, the next seed posts its stories again (and only its).
    const [luna] = await handle.db.select({ id: companions.id }).from(companions).where(eq(companions.slug, "luna"));
    await handle.db.update(stories).set({ expiresAt: new Date(now.getTime() - 1000) }).where(eq(stories.authorCompanionId, luna?.id ?? ""));
    expect(await seedDemoContent(handle.db, { now })).toEqual({ companions: 0, stories: 2 });
  });
});
