/**
 * Each layer of user-story visibility alone, the queries' predicate and the RLS policy (the HTTP
 * matrix sees both at once, so a hole in one hides behind the other); and the 7-day retention.
 */
import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../errors.ts";
import { follows, stories, storyAudience, storyMedia, storyViews, users } from "../../schema/index.ts";
import { createTestDatabase, type TestDatabase } from "../../testing/index.ts";
import { withUser } from "../../transaction.ts";
import { expireStories } from "./expiry.ts";
import { getStory, listStoryFeed } from "./feed.ts";

const HOUR = 3_600_000;
let handle: TestDatabase;
const u = { author: randomUUID(), mutual: randomUUID(), oneWay: randomUUID(), stranger: randomUUID() };
type Viewer = keyof typeof u;
type Visibility = "public" | "friends" | "private";
const story = {} as Record<Visibility, string>;

// Who may see which (the audience of the private story is the one-way follower).
const canSee: Record<Visibility, Viewer[]> = {
  public: ["author", "mutual", "oneWay", "stranger"],
  friends: ["author", "mutual"],
  private: ["author", "oneWay"],
};
// Who has it in their feed: only people who follow the author, and the author.
const inFeed: Record<Visibility, Viewer[]> = { public: ["author", "mutual", "oneWay"], friends: ["author", "mutual"], private: ["author", "oneWay"] };

beforeAll(async () => {
  handle = await createTestDatabase();
  const db = handle.db;
  await db.insert(users).values(Object.entries(u).map(([name, id]) => ({ id, email: `${id}@example.com`, passwordHash: "x", displayName: name })));
  await db.insert(follows).values([
    { followerId: u.author, followeeId: u.mutual },
    { followerId: u.mutual, followeeId: u.author },
    { followerId: u.oneWay, followeeId: u.author },
  ]);
  for (const visibility of ["public", "friends", "private"] as const) {
    const [row] = await db
      .insert(stories)
      .values({ authorUserId: u.author, visibility, expiresAt: new Date(Date.now() + 24 * HOUR) })
      .returning({ id: stories.id });
    if (!row) throw new Error("no story");
    story[visibility] = row.id;
    await db.insert(storyMedia).values({ storyId: row.id, sortOrder: 0, kind: "image", mediaKey: `k/${row.id}` });
  }
  await db.insert(storyAudience).values({ storyId: story.private, userId: u.oneWay });
});
afterAll(async () => {
  await handle.close();
});

const cases = (["public", "friends", "private"] as const).flatMap((visibility) => (Object.keys(u) as Viewer[]).map((viewer) => ({ visibility, viewer })));

describe("each layer alone", () => {
  it.each(cases)("query predicate without RLS: $visibility story, $viewer", async ({ visibility, viewer }) => {
    // The connection's own role bypasses RLS (service access): only the query decides. The
    // user id is set as withUser sets it, for the friend/audience sets the predicate reads.
    const [got, feed] = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.current_user_id', ${u[viewer]}, true)`);
      const one = await getStory(tx, { userId: u[viewer], storyId: story[visibility] }).then(
        (s) => s.id,
        (e: unknown) => (e instanceof DomainError ? e.code : e),
      );
      return [one, await listStoryFeed(tx, { userId: u[viewer], limit: 10 })] as const;
    });
    expect(got).toBe(canSee[visibility].includes(viewer) ? story[visibility] : "NOT_FOUND");
    expect(feed.items.map((s) => s.id).includes(story[visibility])).toBe(inFeed[visibility].includes(viewer));
  });

  it("without a user scope, friends and private stories stay hidden from the query (fail closed)", async () => {
    const seen = async (visibility: Visibility) =>
      getStory(handle.db, { userId: u.mutual, storyId: story[visibility] }).then(
        () => true,
        () => false,
      );
    expect(await seen("public")).toBe(true);
    expect(await seen("friends")).toBe(false);
  });

  it.each(cases)("RLS without a predicate: $visibility story, $viewer", async ({ visibility, viewer }) => {
    // No visibility filter in this query: RLS is the only one.
    const rows = await withUser(handle.db, u[viewer], (tx) => tx.select({ id: stories.id }).from(stories).where(eq(stories.id, story[visibility])));
    expect(rows.length).toBe(canSee[visibility].includes(viewer) ? 1 : 0);
    const slides = await withUser(handle.db, u[viewer], (tx) => tx.select({ id: storyMedia.id }).from(storyMedia).where(eq(storyMedia.storyId, story[visibility])));
    expect(slides.length).toBe(rows.length);
  });
});

describe("expireStories and user stories", () => {
  it("keeps a user's expired story for 7 days after posting, purges deleted ones after the grace period", async () => {
    const db = handle.db;
    const now = new Date(Date.now() + 2 * HOUR);
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
    const insert = async (values: { createdAt: Date; deletedAt?: Date; companion?: boolean }) => {
      const [row] = await db
        .insert(stories)
        .values({
          authorUserId: u.author,
          createdAt: values.createdAt,
          expiresAt: new Date(values.createdAt.getTime() + 24 * HOUR),
          deletedAt: values.deletedAt ?? null,
        })
        .returning({ id: stories.id });
      if (!row) throw new Error("no story");
      return row.id;
    };
    const expiredRecently = await insert({ createdAt: at(48) }); // expired a day ago, job not run yet
    const expiredLongAgo = await insert({ createdAt: at(8 * 24), deletedAt: at(7 * 24 - 1) }); // the job soft-deleted it
    const deletedByAuthor = await insert({ createdAt: at(5), deletedAt: at(3) });
    const live = await insert({ createdAt: at(1) });
    const ids = [expiredRecently, expiredLongAgo, deletedByAuthor, live];

    expect(await expireStories(db, { now, graceMs: HOUR })).toMatchObject({ softDeleted: 1, hardDeleted: 2 });
    const left = await db.select({ id: stories.id, deletedAt: stories.deletedAt }).from(stories).where(inArray(stories.id, ids));
    expect(new Map(left.map((r) => [r.id, r.deletedAt?.getTime() ?? null]))).toEqual(
      new Map([
        [expiredRecently, now.getTime()],
        [live, null],
      ]),
    );
    // Once it is 7 days old, it goes too.
    const later = new Date(now.getTime() + 6 * 24 * HOUR);
    expect((await expireStories(db, { now: later, graceMs: HOUR })).hardDeleted).toBeGreaterThanOrEqual(1);
    const after = await db.select({ id: stories.id }).from(stories).where(inArray(stories.id, [expiredRecently]));
    expect(after).toEqual([]);
  });
});

describe("story_views.story_created_at", () => {
  it("copies its story's created_at on insert and follows it if the story's time changes", async () => {
    const db = handle.db;
    const storyId = story.public;
    const at = async () => {
      const [row] = await db.select({ copy: storyViews.storyCreatedAt, original: stories.createdAt }).from(storyViews).innerJoin(stories, eq(stories.id, storyViews.storyId)).where(eq(storyViews.storyId, storyId));
      return row;
    };
    await db.insert(storyViews).values({ storyId, viewerId: u.stranger });
    const first = await at();
    expect(first?.copy?.getTime()).toBe(first?.original.getTime());
    await db.update(stories).set({ createdAt: new Date(Date.now() - 5 * HOUR) }).where(eq(stories.id, storyId));
    const moved = await at();
    expect(moved?.copy?.getTime()).toBe(moved?.original.getTime());
    expect(moved?.copy?.getTime()).not.toBe(first?.copy?.getTime());
  });
});

