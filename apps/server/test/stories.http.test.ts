import type { RouterOutputs } from "@companion/client";
import { companions, relationshipStates, storyReactions, storyViews } from "@companion/db";
import { createTestDatabase } from "@companion/db/testing";
import { STORY_REACTION_EMOJI } from "@companion/validators";
import { and, eq } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { codeOf, connect, createCompanion, feedOrder, insertStory, signUp, type InsertedStory, type SignedInUser } from "./story-fixtures.ts";
import { isDataQuery } from "./query-count.ts";

type Story = RouterOutputs["stories"]["feed"]["items"][number];

// Every statement the server sends, to count the feed's data queries.
const statements: string[] = [];
const logger: Logger = { logQuery: (query) => statements.push(query) };

const HOUR = 3600_000;
let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let luna: string; // alice and bob are connected
let rex: string; // alice only
let mira: string; // nobody
const s: Record<string, InsertedStory> = {};

beforeAll(async () => {
  // No jobs in this process: their statements would be counted with the requests'.
  t = await startTestServer({ JOBS_IN_PROCESS: "false" }, { database: await createTestDatabase({ logger }) });
  const db = t.database.db;
  [alice, bob] = [await signUp(t, "Alice"), await signUp(t, "Bob")];
  [luna, rex, mira] = [await createCompanion(db, "Luna"), await createCompanion(db, "Rex"), await createCompanion(db, "Mira")];
  await connect(db, alice.id, luna);
  await connect(db, alice.id, rex);
  await connect(db, bob.id, luna);
  const ago = (h: number) => new Date(Date.now() - h * HOUR);
  s.lunaNew = await insertStory(db, luna, { createdAt: ago(1), slides: 3, caption: "new" });
  s.rexMid = await insertStory(db, rex, { createdAt: ago(2), slides: 2 });
  s.lunaOld = await insertStory(db, luna, { createdAt: ago(3), slides: 2 });
  s.lunaExpired = await insertStory(db, luna, { createdAt: ago(30), expiresAt: ago(6) });
  s.lunaDeleted = await insertStory(db, luna, { createdAt: ago(4), deletedAt: ago(0.5) });
  s.miraLive = await insertStory(db, mira, { createdAt: ago(1) });
});
afterAll(async () => {
  await t.stop();
});

const ids = (items: Story[]) => items.map((x) => x.id);

describe("stories.feed", () => {
  it("shows only live stories of connected companions, newest first, slides in order", async () => {
    const page = await alice.api.stories.feed.query({ limit: 20 });
    expect(ids(page.items)).toEqual([s.lunaNew, s.rexMid, s.lunaOld].map((x) => x?.id));
    expect(page.nextCursor).toBeNull();
    const first = page.items[0];
    expect(first).toMatchObject({ caption: "new", seen: false, author: { kind: "companion", id: luna, name: "Luna" } });
    expect(first?.slides.map((m) => m.id)).toEqual(s.lunaNew?.mediaIds);
    expect(first?.slides.map((m) => m.sortOrder)).toEqual([0, 1, 2]);
    expect(first?.slides[0]).toMatchObject({ kind: "image", url: `/media/test/${s.lunaNew?.id}/0.svg`, width: 1080, height: 1920, myReaction: null });
    expect(Date.parse(first?.expiresAt ?? "") - Date.parse(first?.createdAt ?? "")).toBe(24 * HOUR);

    const bobs = await bob.api.stories.feed.query({ limit: 20 });
    expect(ids(bobs.items)).toEqual([s.lunaNew, s.lunaOld].map((x) => x?.id));
  });

  it("carries my reaction per slide and my seen flag, not anyone else's", async () => {
    const story = s.lunaOld;
    if (!story) throw new Error("fixture missing");
    await alice.api.stories.react.mutate({ mediaId: story.mediaIds[1] ?? "", emoji: "🔥" });
    await bob.api.stories.react.mutate({ mediaId: story.mediaIds[0] ?? "", emoji: "😂" });
    await alice.api.stories.markViewed.mutate({ storyId: story.id });

    const mine = (await alice.api.stories.feed.query({ limit: 20 })).items.find((x) => x.id === story.id);
    expect(mine?.seen).toBe(true);
    expect(mine?.slides.map((m) => m.myReaction)).toEqual([null, "🔥"]);
    const bobs = (await bob.api.stories.feed.query({ limit: 20 })).items.find((x) => x.id === story.id);
    expect(bobs?.seen).toBe(false);
    expect(bobs?.slides.map((m) => m.myReaction)).toEqual(["😂", null]);
    expect(await alice.api.stories.byId.query({ storyId: story.id })).toEqual(mine);
  });

  it("walks every story exactly once across pages, ties in created_at included", async () => {
    const db = t.database.db;
    const walker = await signUp(t, "Walker");
    const [a, b] = [await createCompanion(db, "Kai"), await createCompanion(db, "Sol")];
    await connect(db, walker.id, a);
    await connect(db, walker.id, b);
    const base = Date.now() - 10 * HOUR;
    const inserted: InsertedStory[] = [];
    for (let i = 0; i < 17; i++) {
      // Groups of three share a millisecond, across both authors.
      const createdAt = new Date(base + Math.floor(i / 3) * 60_000);
      inserted.push(await insertStory(db, i % 2 ? a : b, { createdAt, slides: 1 }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await walker.api.stories.feed.query({ limit: 4, cursor });
      seen.push(...ids(page.items));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual([...inserted].sort(feedOrder).map((x) => x.id));
  });

  it("issues exactly two data queries per page", async () => {
    for (const cursor of [undefined, (await alice.api.stories.feed.query({ limit: 1 })).nextCursor ?? undefined]) {
      statements.length = 0;
      const page = await alice.api.stories.feed.query({ limit: 2, cursor });
      expect(page.items.length).toBe(2);
      const data = statements.filter(isDataQuery);
      expect(data, data.join("\n\n")).toHaveLength(2);
      expect(data[0]).toMatch(/from "stories"/);
      expect(data[1]).toMatch(/from "story_media".*= any\(\$\d+::uuid\[\]\)/s);
    }
  });

  it("refuses a bad cursor or limit with BAD_REQUEST", async () => {
    expect(await codeOf(alice.api.stories.feed.query({ limit: 5, cursor: "garbage" }))).toBe("BAD_REQUEST");
    const wellFormedButWrong = Buffer.from("12:not-a-uuid").toString("base64url");
    expect(await codeOf(alice.api.stories.feed.query({ limit: 5, cursor: wellFormedButWrong }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.stories.feed.query({ limit: 0 }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.stories.feed.query({ limit: 51 }))).toBe("BAD_REQUEST");
  });
});

describe("stories I may not see", () => {
  it("an expired story is gone at once: not in the feed, byId NOT_FOUND, no reacting or viewing", async () => {
    const story = await insertStory(t.database.db, luna, { createdAt: new Date(Date.now() - 2 * HOUR), expiresAt: new Date(Date.now() - 1000) });
    expect(ids((await alice.api.stories.feed.query({ limit: 50 })).items)).not.toContain(story.id);
    expect(await codeOf(alice.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.stories.react.mutate({ mediaId: story.mediaIds[0] ?? "", emoji: "❤️" }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.stories.markViewed.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
  });

  it("a companion I am not connected with, or a deleted story: NOT_FOUND everywhere", async () => {
    for (const story of [s.miraLive, s.lunaDeleted, s.rexMid]) {
      if (!story) throw new Error("fixture missing");
      // rexMid: alice may see it, bob may not.
      expect(await codeOf(bob.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
      expect(await codeOf(bob.api.stories.react.mutate({ mediaId: story.mediaIds[0] ?? "", emoji: "❤️" }))).toBe("NOT_FOUND");
      expect(await codeOf(bob.api.stories.markViewed.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
    }
    const rows = await t.database.db.select({ id: storyReactions.id }).from(storyReactions).where(eq(storyReactions.userId, bob.id));
    expect(rows).toHaveLength(1); // only the one on lunaOld from the earlier test
    expect(await codeOf(bob.api.stories.byId.query({ storyId: "00000000-0000-4000-8000-000000000000" }))).toBe("NOT_FOUND");
  });

  it("a connected companion that became private to someone else: its stories are gone too", async () => {
    const db = t.database.db;
    const owner = await signUp(t, "Owner");
    const hidden = await createCompanion(db, "Hidden");
    await connect(db, bob.id, hidden);
    const story = await insertStory(db, hidden, { createdAt: new Date(Date.now() - 1000) });
    expect((await bob.api.stories.byId.query({ storyId: story.id })).id).toBe(story.id);
    await db.update(companions).set({ visibility: "private", ownerUserId: owner.id }).where(eq(companions.id, hidden));
    expect(ids((await bob.api.stories.feed.query({ limit: 50 })).items)).not.toContain(story.id);
    expect(await codeOf(bob.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
    expect(await codeOf(bob.api.stories.react.mutate({ mediaId: story.mediaIds[0] ?? "", emoji: "❤️" }))).toBe("NOT_FOUND");
    expect(await codeOf(bob.api.stories.markViewed.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
    // Its owner, connected too, still sees it.
    await connect(db, owner.id, hidden);
    expect((await owner.api.stories.byId.query({ storyId: story.id })).id).toBe(story.id);
  });
});

describe("reactions and views", () => {
  it("react twice keeps one row with the latest emoji, and counts as one interaction", async () => {
    const story = s.rexMid;
    if (!story) throw new Error("fixture missing");
    const mediaId = story.mediaIds[0] ?? "";
    const before = await interactionCount(alice.id, rex);
    expect(await alice.api.stories.react.mutate({ mediaId, emoji: "❤️" })).toEqual({ mediaId, storyId: story.id, emoji: "❤️" });
    await alice.api.stories.react.mutate({ mediaId, emoji: "👏" });
    const rows = await t.database.db
      .select({ emoji: storyReactions.emoji })
      .from(storyReactions)
      .where(and(eq(storyReactions.userId, alice.id), eq(storyReactions.mediaId, mediaId)));
    expect(rows).toEqual([{ emoji: "👏" }]);
    expect(await interactionCount(alice.id, rex)).toBe(before + 1);
    const byId = await alice.api.stories.byId.query({ storyId: story.id });
    expect(byId.slides[0]?.myReaction).toBe("👏");

    expect(await alice.api.stories.unreact.mutate({ mediaId })).toEqual({ mediaId, removed: true });
    expect(await alice.api.stories.unreact.mutate({ mediaId })).toEqual({ mediaId, removed: false });
    expect((await alice.api.stories.byId.query({ storyId: story.id })).slides[0]?.myReaction).toBeNull();
  });

  it("only allowed emoji", async () => {
    const mediaId = s.rexMid?.mediaIds[1] ?? "";
    expect(STORY_REACTION_EMOJI).toContain("❤️");
    for (const emoji of ["💩", "like", "", "❤️❤️"]) {
      // @ts-expect-error -- the client's types already refuse it; the server must too.
      expect(await codeOf(alice.api.stories.react.mutate({ mediaId, emoji }))).toBe("BAD_REQUEST");
    }
    expect(await codeOf(alice.api.stories.react.mutate({ mediaId: "not-a-uuid", emoji: "❤️" }))).toBe("BAD_REQUEST");
  });

  it("markViewed twice records one view", async () => {
    const story = s.lunaNew;
    if (!story) throw new Error("fixture missing");
    expect(await bob.api.stories.markViewed.mutate({ storyId: story.id })).toEqual({ storyId: story.id, seen: true });
    await bob.api.stories.markViewed.mutate({ storyId: story.id });
    const views = await t.database.db.select({ id: storyViews.id }).from(storyViews).where(eq(storyViews.storyId, story.id));
    expect(views).toHaveLength(1);
    expect((await bob.api.stories.byId.query({ storyId: story.id })).seen).toBe(true);
  });

  it("requires sign-in", async () => {
    expect(await codeOf(t.client().stories.feed.query({ limit: 5 }))).toBe("UNAUTHORIZED");
  });
});

async function interactionCount(userId: string, companionId: string): Promise<number> {
  const [row] = await t.database.db
    .select({ n: relationshipStates.interactionCount })
    .from(relationshipStates)
    .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)));
  return row?.n ?? -1;
}
