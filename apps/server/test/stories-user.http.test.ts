/**
 * Users' own stories through packages/client over HTTP: stories.create (media ownership,
 * validation, one transaction, rate limit), stories.delete, stories.viewers, stories.stats.
 */
import { stories, storyViews } from "@companion/db";
import { and, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { ageStory, follow, postStory, startSocialServer, upload } from "./social-fixtures.ts";
import { codeOf, signUp, type SignedInUser } from "./story-fixtures.ts";

const HOUR = 3_600_000;
let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let carol: SignedInUser;

beforeAll(async () => {
  // The real story limit (20/min), so the rate-limit test meets it.
  t = await startSocialServer({ RATE_STORY_CREATE_PER_MIN: "20" });
  [alice, bob, carol] = [await signUp(t, "Alice"), await signUp(t, "Bob"), await signUp(t, "Carol")];
  await follow(bob, alice);
  await follow(carol, alice);
});
afterAll(async () => {
  await t.stop();
});

const storiesOf = async (user: SignedInUser) =>
  t.database.db.select({ id: stories.id }).from(stories).where(eq(stories.authorUserId, user.id));

describe("stories.create", () => {
  it("posts my story from my uploads: slides in order with kinds from their content type, 24 hours", async () => {
    const keys = [await upload(t, alice, "image/png"), await upload(t, alice, "video/mp4"), await upload(t, alice, "image/jpeg")];
    const story = await alice.api.stories.create.mutate({ caption: "  at the beach  ", mediaKeys: keys, visibility: "public" });
    expect(story).toMatchObject({
      caption: "at the beach",
      visibility: "public",
      seen: false,
      author: { kind: "user", id: alice.id, name: "Alice", avatarUrl: null },
    });
    // Uploads are read through signed URLs bound to this story (docs/media.md#read-urls).
    const signed = (key: string | undefined): unknown => expect.stringMatching(new RegExp(`^/media/${key}\\?story=${story.id}&expires=\\d+&sig=`));
    expect(story.slides.map((s) => [s.sortOrder, s.kind, s.url])).toEqual([
      [0, "image", signed(keys[0])],
      [1, "video", signed(keys[1])],
      [2, "image", signed(keys[2])],
    ]);
    expect(Date.parse(story.expiresAt) - Date.parse(story.createdAt)).toBe(24 * HOUR);
    expect(await bob.api.stories.byId.query({ storyId: story.id })).toEqual(story);
    // The slide is served from where the upload put it.
    expect((await fetch(new URL(story.slides[0]?.url ?? "", t.url))).status).toBe(200);
  });

  it("refuses someone else's media key (NOT_FOUND) and writes nothing", async () => {
    const before = await storiesOf(bob);
    const mine = await upload(t, bob);
    const hers = await upload(t, alice);
    expect(await codeOf(bob.api.stories.create.mutate({ mediaKeys: [mine, hers], visibility: "public" }))).toBe("NOT_FOUND");
    expect(await storiesOf(bob)).toEqual(before);
  });

  it("refuses media that was never uploaded: a key without bytes, or a key nobody issued", async () => {
    const up = await bob.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 8 });
    expect(await codeOf(bob.api.stories.create.mutate({ mediaKeys: [up.mediaKey], visibility: "public" }))).toBe("PRECONDITION_FAILED");
    const invented = `u/${bob.id}/${crypto.randomUUID()}.png`;
    expect(await codeOf(bob.api.stories.create.mutate({ mediaKeys: [invented], visibility: "public" }))).toBe("NOT_FOUND");
    expect(await storiesOf(bob)).toEqual([]);
  });

  it("validates caption length, media count, duplicates and the audience (BAD_REQUEST)", async () => {
    const key = await upload(t, carol);
    const keys11 = Array.from({ length: 11 }, () => `u/${carol.id}/${crypto.randomUUID()}.png`);
    const bad = [
      { mediaKeys: [key], visibility: "public" as const, caption: "x".repeat(501) },
      { mediaKeys: [], visibility: "public" as const },
      { mediaKeys: keys11, visibility: "public" as const },
      { mediaKeys: [key, key], visibility: "public" as const },
      { mediaKeys: [key], visibility: "friends" as const, audienceUserIds: [bob.id] },
      { mediaKeys: ["../../etc/passwd"], visibility: "public" as const },
    ];
    for (const input of bad) expect(await codeOf(carol.api.stories.create.mutate(input)), JSON.stringify(input).slice(0, 80)).toBe("BAD_REQUEST");
    // @ts-expect-error -- not a visibility; the server refuses it too.
    expect(await codeOf(carol.api.stories.create.mutate({ mediaKeys: [key], visibility: "everyone" }))).toBe("BAD_REQUEST");
    expect(await storiesOf(carol)).toEqual([]);

    // The limits themselves are allowed: 500 characters, 10 slides.
    const ten = [key, ...(await Promise.all(Array.from({ length: 9 }, () => upload(t, carol))))];
    const story = await carol.api.stories.create.mutate({ mediaKeys: ten, visibility: "private", caption: "y".repeat(500) });
    expect(story.slides).toHaveLength(10);
    expect(story.caption).toHaveLength(500);
  });

  it("an audience member who does not exist is NOT_FOUND, and the story is not half-written", async () => {
    const before = await storiesOf(carol);
    const key = await upload(t, carol);
    const ghost = crypto.randomUUID();
    expect(await codeOf(carol.api.stories.create.mutate({ mediaKeys: [key], visibility: "private", audienceUserIds: [bob.id, ghost] }))).toBe("NOT_FOUND");
    expect(await storiesOf(carol)).toEqual(before);
  });

  it("is rate-limited per user: the 21st story in a minute is TOO_MANY_REQUESTS, others are unaffected", async () => {
    const spammer = await signUp(t, "Spammer");
    const key = await upload(t, spammer); // one upload may back several stories
    for (let i = 0; i < 20; i++) await spammer.api.stories.create.mutate({ mediaKeys: [key], visibility: "private" });
    expect(await codeOf(spammer.api.stories.create.mutate({ mediaKeys: [key], visibility: "private" }))).toBe("TOO_MANY_REQUESTS");
    expect(await storiesOf(spammer)).toHaveLength(20);
    await postStory(t, bob, { visibility: "private" });
  });
});

describe("stories.delete", () => {
  it("only the author deletes (NOT_FOUND for others, even those who see it); then it is gone from every read", async () => {
    const story = await postStory(t, alice, { visibility: "public" });
    const mediaId = story.slides[0]?.id ?? "";
    await bob.api.stories.markViewed.mutate({ storyId: story.id });
    expect(await codeOf(bob.api.stories.delete.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
    expect((await bob.api.stories.byId.query({ storyId: story.id })).id).toBe(story.id);

    expect(await alice.api.stories.delete.mutate({ storyId: story.id })).toEqual({ storyId: story.id, deleted: true });
    for (const user of [alice, bob]) {
      expect((await user.api.stories.feed.query({ limit: 50 })).items.map((s) => s.id)).not.toContain(story.id);
      expect(await codeOf(user.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
      expect(await codeOf(user.api.stories.markViewed.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
      expect(await codeOf(user.api.stories.react.mutate({ mediaId, emoji: "🔥" }))).toBe("NOT_FOUND");
      expect(await codeOf(user.api.stories.unreact.mutate({ mediaId }))).toBe("NOT_FOUND");
    }
    expect(await codeOf(alice.api.stories.viewers.query({ storyId: story.id }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.stories.delete.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.stories.delete.mutate({ storyId: crypto.randomUUID() }))).toBe("NOT_FOUND");
  });
});

describe("stories.viewers and stories.stats", () => {
  it("lists viewers latest first, keyset-paged, to the author only, without my own view", async () => {
    const author = await signUp(t, "Author");
    const fans = [await signUp(t, "Fan1"), await signUp(t, "Fan2"), await signUp(t, "Fan3")];
    const story = await postStory(t, author, { visibility: "public" });
    for (const fan of fans) await fan.api.stories.markViewed.mutate({ storyId: story.id });
    await author.api.stories.markViewed.mutate({ storyId: story.id });

    // Latest view first, ties (same millisecond) by viewer id descending.
    const views = await t.database.db
      .select({ id: storyViews.viewerId, at: storyViews.viewedAt })
      .from(storyViews)
      .where(and(eq(storyViews.storyId, story.id), ne(storyViews.viewerId, author.id)));
    const order = views.sort((x, y) => y.at.getTime() - x.at.getTime() || (x.id < y.id ? 1 : -1)).map((v) => v.id);
    expect([...order].sort()).toEqual(fans.map((f) => f.id).sort());

    const first = await author.api.stories.viewers.query({ storyId: story.id, limit: 2 });
    expect(first.items.map((v) => v.user.id)).toEqual(order.slice(0, 2));
    const names = new Map(fans.map((f, i) => [f.id, `Fan${i + 1}`]));
    expect(first.items[0]).toEqual({ user: { id: order[0], displayName: names.get(order[0] ?? ""), avatarUrl: null }, viewedAt: expect.any(String) });
    expect(first.nextCursor).not.toBeNull();
    const second = await author.api.stories.viewers.query({ storyId: story.id, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((v) => v.user.id)).toEqual(order.slice(2));
    expect(second.nextCursor).toBeNull();

    expect(await codeOf(author.api.stories.viewers.query({ storyId: story.id, cursor: "garbage" }))).toBe("BAD_REQUEST");
    expect(await codeOf(author.api.stories.viewers.query({ storyId: story.id, limit: 101 }))).toBe("BAD_REQUEST");
    for (const other of [fans[0], alice]) {
      if (!other) throw new Error("fixture missing");
      expect(await codeOf(other.api.stories.viewers.query({ storyId: story.id }))).toBe("NOT_FOUND");
    }

    // After expiry the story is gone for everyone, but its author still sees who viewed it.
    await ageStory(t, story.id, 25);
    expect(await codeOf(author.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
    expect((await author.api.stories.viewers.query({ storyId: story.id })).items).toHaveLength(3);
  });

  it("stats: my last 7 days of stories, views, unique viewers and reactions by emoji", async () => {
    const author = await signUp(t, "Stats");
    const [v1, v2] = [await signUp(t, "V1"), await signUp(t, "V2")];
    expect(await author.api.stories.stats.query()).toMatchObject({ storiesPosted: 0, views: 0, uniqueViewers: 0, reactions: [] });

    const a = await postStory(t, author, { visibility: "public" }, 2);
    const b = await postStory(t, author, { visibility: "public" });
    const expired = await postStory(t, author, { visibility: "public" });
    const deleted = await postStory(t, author, { visibility: "public" });
    const old = await postStory(t, author, { visibility: "public" });
    for (const s of [a, b, expired, deleted, old]) {
      for (const v of [v1, v2]) await v.api.stories.markViewed.mutate({ storyId: s.id });
    }
    await v1.api.stories.markViewed.mutate({ storyId: a.id }); // a repeat is not another view
    await author.api.stories.markViewed.mutate({ storyId: a.id }); // my own view does not count
    const react = (u: SignedInUser, s: typeof a, i: number, emoji: "❤️" | "🔥") => u.api.stories.react.mutate({ mediaId: s.slides[i]?.id ?? "", emoji });
    await react(v1, a, 0, "❤️");
    await react(v1, a, 1, "🔥");
    await react(v2, a, 0, "❤️");
    await react(v2, expired, 0, "❤️");
    await react(author, b, 0, "🔥"); // mine: not counted
    await react(v1, old, 0, "🔥"); // older than 7 days by then: not counted
    await react(v1, deleted, 0, "🔥"); // deleted: not counted
    await ageStory(t, expired.id, 25);
    await author.api.stories.delete.mutate({ storyId: deleted.id });
    await ageStory(t, old.id, 8 * 24);

    const stats = await author.api.stories.stats.query();
    expect(stats).toEqual({
      since: expect.any(String),
      storiesPosted: 3, // a, b, expired
      views: 6,
      uniqueViewers: 2,
      reactions: [
        { emoji: "❤️", count: 3 },
        { emoji: "🔥", count: 1 },
      ],
    });
    expect(Date.now() - Date.parse(stats.since)).toBeGreaterThanOrEqual(7 * 24 * HOUR - 60_000);
  });
});
