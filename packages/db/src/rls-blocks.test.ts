/**
 * Blocks, mutes and moderation's hidden_at in Row Level Security and in the queries (issue 16,
 * drizzle/0017_block_policies.sql, docs/social.md#blocks): raw SQL under `withUser`, so the
 * policies are what is tested, then the query functions that request code calls. Blocked pairs
 * in both directions: the blocker and the blocked see the same nothing of each other.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockUser, followUser, getStory, getUserProfile, listStoryFeed, listStoryViewers, muteUser, unblockUser, upsertStoryReaction } from "./index.ts";
import { blocks, follows, stories, storyMedia, storyReactions, storyViews, users } from "./schema/index.ts";
import { countRows, INSUFFICIENT_PRIVILEGE, queryRows, sqlState } from "./testing/rls-fixture.ts";
import { createTestDatabase, type TestDatabase } from "./testing/index.ts";
import { withUser } from "./transaction.ts";

let handle: TestDatabase;
// blocker blocks blocked; bystander blocks nobody; all three follow each other and saw and reacted to each other's stories.
const [blocker, blocked, bystander] = [randomUUID(), randomUUID(), randomUUID()];
const people = [blocker, blocked, bystander];
const storyOf = new Map<string, string>();
const slideOf = new Map<string, string>();

beforeAll(async () => {
  handle = await createTestDatabase();
  const db = handle.db;
  await db.insert(users).values(people.map((id, i) => ({ id, email: `blk-${i}-${id}@example.com`, passwordHash: "x", displayName: `B${i}` })));
  const expiresAt = new Date(Date.now() + 3_600_000);
  for (const p of people) {
    const [story, slide] = [randomUUID(), randomUUID()];
    storyOf.set(p, story);
    slideOf.set(p, slide);
    await db.insert(stories).values({ id: story, authorUserId: p, visibility: "public", expiresAt });
    await db.insert(storyMedia).values({ id: slide, storyId: story, sortOrder: 0, kind: "image", mediaKey: `k-${p}` });
  }
  for (const p of people) {
    for (const q of people) {
      if (p === q) continue;
      await db.insert(follows).values({ followerId: p, followeeId: q });
      await db.insert(storyViews).values({ storyId: storyOf.get(q) ?? "", viewerId: p });
      await db.insert(storyReactions).values({ userId: p, mediaId: slideOf.get(q) ?? "", storyId: storyOf.get(q) ?? "", emoji: "🔥" });
    }
  }
  // Through the query, as social.block does: the follows both ways go in the same transaction.
  await withUser(db, blocker, (tx) => blockUser(tx, { userId: blocker, targetId: blocked }));
});
afterAll(async () => {
  await handle?.close();
});

const run = (userId: string, statement: string) => withUser(handle.db, userId, (tx) => tx.execute(sql.raw(statement)));
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => sqlState(e) ?? e);
const visibleStories = async (userId: string) =>
  (await withUser(handle.db, userId, (tx) => queryRows<{ author: string }>(tx, sql`select author_user_id as author from stories`))).map((r) => r.author).sort();
const pairs = [
  ["blocker", blocker, "blocked", blocked],
  ["blocked", blocked, "blocker", blocker],
] as const;

describe("a block in Row Level Security, both directions", () => {
  it("the block removed the follows both ways, and only those", async () => {
    const edges = await queryRows<{ f: string; t: string }>(handle.db, sql`select follower_id as f, followee_id as t from follows`);
    const has = (f: string, t: string) => edges.some((e) => e.f === f && e.t === t);
    expect([has(blocker, blocked), has(blocked, blocker)]).toEqual([false, false]);
    expect([has(blocker, bystander), has(blocked, bystander), has(bystander, blocker), has(bystander, blocked)]).toEqual([true, true, true, true]);
  });

  it("a bystander still sees everyone's stories", async () => {
    expect(await visibleStories(bystander)).toEqual([...people].sort());
  });

  it.each(pairs)("the %s does not read the other's stories, media, views or reactions", async (_, me, _other, other) => {
    expect(await visibleStories(me)).toEqual([me, bystander].sort());
    expect(await withUser(handle.db, me, (tx) => countRows(tx, "story_media", `story_id = '${storyOf.get(other)}'`))).toBe(0);
    // On my own story: the bystander's view and reaction, not the other's.
    const onMine = (table: string, col: string) =>
      withUser(handle.db, me, async (tx) =>
        (await queryRows<{ u: string }>(tx, sql.raw(`select ${col} as u from ${table} where story_id = '${storyOf.get(me)}'`))).map((r) => r.u),
      );
    expect(await onMine("story_views", "viewer_id")).toEqual([bystander]);
    expect(await onMine("story_reactions", "user_id")).toEqual([bystander]);
  });

  it.each(pairs)("the %s cannot view, react to, or follow the other", async (_, me, _other, other) => {
    expect(await rejection(run(me, `insert into story_views (story_id, viewer_id) values ('${storyOf.get(other)}', '${me}') on conflict do nothing`))).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
    expect(
      await rejection(
        run(me, `insert into story_reactions (user_id, media_id, story_id, emoji) values ('${me}', '${slideOf.get(other)}', '${storyOf.get(other)}', '😂')`),
      ),
    ).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await rejection(run(me, `insert into follows (follower_id, followee_id) values ('${me}', '${other}')`))).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("nobody reads who blocked them, and a block is the blocker's to lift", async () => {
    expect(await withUser(handle.db, blocked, (tx) => countRows(tx, "blocks"))).toBe(0);
    expect(await withUser(handle.db, blocker, (tx) => countRows(tx, "blocks"))).toBe(1);
    expect(await withUser(handle.db, blocked, (tx) => unblockUser(tx, { userId: blocked, targetId: blocker }))).toEqual({ removed: false });
    expect(await rejection(run(blocked, `insert into blocks (blocker_id, blocked_id) values ('${blocker}', '${blocked}')`))).toBe(INSUFFICIENT_PRIVILEGE);
  });
});

describe("a block in the queries", () => {
  it.each(pairs)("the %s: byId, react and follow are NOT_FOUND; the feed and viewers leave the other out", async (_, me, _other, other) => {
    const story = storyOf.get(other) ?? "";
    const code = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e as { code?: string }).code);
    expect(await code(withUser(handle.db, me, (tx) => getStory(tx, { userId: me, storyId: story })))).toBe("NOT_FOUND");
    expect(await code(withUser(handle.db, me, (tx) => upsertStoryReaction(tx, { userId: me, mediaId: slideOf.get(other) ?? "", emoji: "😂" })))).toBe(
      "NOT_FOUND",
    );
    expect(await code(withUser(handle.db, me, (tx) => followUser(tx, { userId: me, targetId: other })))).toBe("NOT_FOUND");
    const feed = await withUser(handle.db, me, (tx) => listStoryFeed(tx, { userId: me, limit: 50 }));
    expect(feed.items.map((s) => s.author.id).sort()).toEqual([me, bystander].sort());
    const viewers = await withUser(handle.db, me, (tx) => listStoryViewers(tx, { userId: me, storyId: storyOf.get(me) ?? "", limit: 50 }));
    expect(viewers.items.map((v) => v.user.id)).toEqual([bystander]);
  });

  it("unblocking gives the stories back (the follows stay gone)", async () => {
    await withUser(handle.db, blocker, (tx) => unblockUser(tx, { userId: blocker, targetId: blocked }));
    expect(await visibleStories(blocked)).toEqual([...people].sort());
    expect((await withUser(handle.db, blocked, (tx) => getStory(tx, { userId: blocked, storyId: storyOf.get(blocker) ?? "" }))).id).toBe(storyOf.get(blocker));
    await withUser(handle.db, blocker, (tx) => blockUser(tx, { userId: blocker, targetId: blocked }));
    expect(await queryRows(handle.db, sql`select 1 from ${blocks}`)).toHaveLength(1);
  });
});

describe("a mute", () => {
  it("takes their stories out of my feed only; they still see mine, and I can still open theirs", async () => {
    await withUser(handle.db, bystander, (tx) => muteUser(tx, { userId: bystander, targetId: blocker }));
    const feedOf = async (u: string) => (await withUser(handle.db, u, (tx) => listStoryFeed(tx, { userId: u, limit: 50 }))).items.map((s) => s.author.id);
    expect(await feedOf(bystander)).not.toContain(blocker);
    expect(await feedOf(bystander)).toContain(blocked);
    expect(await feedOf(blocker)).toContain(bystander);
    expect((await withUser(handle.db, bystander, (tx) => getStory(tx, { userId: bystander, storyId: storyOf.get(blocker) ?? "" }))).id).toBe(
      storyOf.get(blocker),
    );
  });
});

describe("hidden_at (moderation)", () => {
  it("a hidden story is gone for everyone, its author included, in RLS and in the queries", async () => {
    const story = storyOf.get(bystander) ?? "";
    await handle.db.update(stories).set({ hiddenAt: new Date() }).where(sql`${stories.id} = ${story}`);
    for (const u of people) expect(await withUser(handle.db, u, (tx) => countRows(tx, "stories", `id = '${story}'`))).toBe(0);
    const feed = await withUser(handle.db, bystander, (tx) => listStoryFeed(tx, { userId: bystander, limit: 50 }));
    expect(feed.items.map((s) => s.id)).not.toContain(story);
  });
});

describe("profiles (user_profile_card, drizzle/0019_user_profile.sql)", () => {
  const card = (userId: string | null, of: string) => {
    const q = sql`select * from user_profile_card(${of}::uuid)`;
    return userId ? withUser(handle.db, userId, (tx) => queryRows<Record<string, unknown>>(tx, q)) : queryRows<Record<string, unknown>>(handle.db, q);
  };

  it("hides the blocker from the person they blocked, not the other way round; never an email", async () => {
    // RLS alone shows nobody else's users row: hence the function.
    expect(await withUser(handle.db, blocked, (tx) => countRows(tx, "users", `id = '${blocker}'`))).toBe(0);
    expect(await card(blocked, blocker)).toEqual([]);
    expect(await card(blocker, blocked)).toEqual([{ id: blocked, display_name: "B1", avatar_url: null, avatar_key: null }]);
    expect(await card(bystander, blocker)).toHaveLength(1);
    // Service code (no user scope) is blocked by nobody.
    expect(await card(null, blocker)).toHaveLength(1);
    await expect(withUser(handle.db, blocked, (tx) => getUserProfile(tx, { userId: blocked, targetId: blocker }))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("counts and states through the query function, as the caller reads them under RLS", async () => {
    // bystander muted blocker (above); the block removed the follows between blocker and blocked.
    expect(await withUser(handle.db, bystander, (tx) => getUserProfile(tx, { userId: bystander, targetId: blocker }))).toEqual({
      id: blocker,
      displayName: "B0",
      avatarUrl: null,
      avatarKey: null,
      followerCount: 1,
      followingCount: 1,
      followedByMe: true,
      followsMe: true,
      blockedByMe: false,
      mutedByMe: true,
    });
    expect(await withUser(handle.db, blocker, (tx) => getUserProfile(tx, { userId: blocker, targetId: blocked }))).toMatchObject({
      blockedByMe: true,
      followedByMe: false,
      followsMe: false,
    });
  });

  it("a disabled account has no card, for anyone", async () => {
    await handle.db.update(users).set({ disabledAt: new Date() }).where(sql`${users.id} = ${bystander}`);
    for (const u of [blocker, blocked]) expect(await card(u, bystander)).toEqual([]);
    await handle.db.update(users).set({ disabledAt: null }).where(sql`${users.id} = ${bystander}`);
    expect(await card(blocker, bystander)).toHaveLength(1);
  });
});
