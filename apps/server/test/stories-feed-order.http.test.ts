/**
 * The merged feed through packages/client over HTTP: companions I am connected with, people
 * I follow and my own stories, unseen first, then newest; walked page by page on the
 * (seen, created_at, id) keyset, with exactly two data queries on every page.
 */
import { stories } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { follow, postStory, startSocialServer } from "./social-fixtures.ts";
import { codeOf, connect, createCompanion, insertStory, signUp, type SignedInUser } from "./story-fixtures.ts";
import { isDataQuery } from "./query-count.ts";

const statements: string[] = [];
const logger: Logger = { logQuery: (query) => statements.push(query) };

const MINUTE = 60_000;
let t: TestServer;
let me: SignedInUser;
let friend: SignedInUser;
let stranger: SignedInUser;

interface Posted {
  id: string;
  createdAt: Date;
  seen: boolean;
}
const posted: Posted[] = [];

/** Moves a story to a given posting time (and expiry 24 hours later). */
async function postedAt(storyId: string, at: Date): Promise<void> {
  await t.database.db
    .update(stories)
    .set({ createdAt: at, expiresAt: sql`${sql.param(at, stories.createdAt)}::timestamptz + interval '24 hours'` })
    .where(eq(stories.id, storyId));
}

/** Unseen first, then newest, then id descending (uuid order is lowercase-hex order). */
const feedOrder = (a: Posted, b: Posted) =>
  Number(a.seen) - Number(b.seen) || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

async function walk(user: SignedInUser, limit: number): Promise<{ ids: string[]; pages: number; dataQueries: number[] }> {
  const ids: string[] = [];
  const dataQueries: number[] = [];
  let cursor: string | undefined;
  do {
    statements.length = 0;
    const page = await user.api.stories.feed.query({ limit, cursor });
    dataQueries.push(statements.filter(isDataQuery).length);
    ids.push(...page.items.map((s) => s.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, pages: dataQueries.length, dataQueries };
}

beforeAll(async () => {
  // No jobs in this process: their statements would be counted with the requests'.
  t = await startSocialServer({ JOBS_IN_PROCESS: "false" }, { logger });
  [me, friend, stranger] = [await signUp(t, "Me"), await signUp(t, "Friend"), await signUp(t, "Stranger")];
  await follow(me, friend);
  const db = t.database.db;
  const luna = await createCompanion(db, "Luna");
  await connect(db, me.id, luna);

  const base = Date.now() - 10 * 60 * MINUTE;
  // 14 stories from three kinds of author, two per minute; two of the pairs share a millisecond.
  for (let i = 0; i < 14; i++) {
    const at = new Date(base + Math.floor(i / 2) * MINUTE + (i % 2 && i % 3 ? 1 : 0));
    let id: string;
    if (i % 3 === 0) id = (await insertStory(db, luna, { createdAt: at, slides: 1 })).id;
    else id = (await postStory(t, i % 3 === 1 ? friend : me, { visibility: i % 2 ? "public" : "friends" })).id;
    await postedAt(id, at);
    posted.push({ id, createdAt: at, seen: false });
  }
  // Friends stories of someone who does not follow me back are not mine to see.
  await follow(friend, me);
  // Not in my feed: a stranger's public story (it opens by id, though).
  await postStory(t, stranger, { visibility: "public" });

  // I have seen 5 of them, spread over the timeline.
  for (const i of [0, 3, 4, 9, 13]) {
    const p = posted[i];
    if (!p) throw new Error("fixture missing");
    await me.api.stories.markViewed.mutate({ storyId: p.id });
    p.seen = true;
  }
});
afterAll(async () => {
  await t.stop();
});

describe("stories.feed, merged and unseen first", () => {
  it("lists companions', followed users' and my own stories: unseen first, then newest", async () => {
    const page = await me.api.stories.feed.query({ limit: 50 });
    expect(page.items.map((s) => s.id)).toEqual([...posted].sort(feedOrder).map((p) => p.id));
    expect(page.items.map((s) => s.seen)).toEqual([...Array(9).fill(false), ...Array(5).fill(true)]);
    expect(new Set(page.items.map((s) => s.author.kind))).toEqual(new Set(["companion", "user"]));
    expect(page.items.find((s) => s.author.id === friend.id)?.author).toEqual({ kind: "user", id: friend.id, name: "Friend", avatarUrl: null });
  });

  it.each([1, 2, 4, 9, 10])("walks every story exactly once with pages of %i, two data queries per page", async (limit) => {
    const got = await walk(me, limit);
    expect(got.ids).toEqual([...posted].sort(feedOrder).map((p) => p.id));
    expect(got.pages).toBe(Math.ceil(posted.length / limit));
    expect(got.dataQueries).toEqual(Array(got.pages).fill(2));
  });

  it("a story I view while paging comes again in the seen run; nothing is skipped", async () => {
    const first = await me.api.stories.feed.query({ limit: 3 });
    const viewedNow = first.items[0];
    if (!viewedNow) throw new Error("empty feed");
    await me.api.stories.markViewed.mutate({ storyId: viewedNow.id });
    const rest: string[] = [];
    let cursor = first.nextCursor ?? undefined;
    while (cursor) {
      const page = await me.api.stories.feed.query({ limit: 3, cursor });
      rest.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    }
    const all = [...first.items.map((s) => s.id), ...rest];
    expect(new Set(all)).toEqual(new Set(posted.map((p) => p.id)));
    expect(all.filter((id) => id === viewedNow.id)).toHaveLength(2);
  });

  it("refuses a cursor of another list or format (BAD_REQUEST)", async () => {
    const plain = Buffer.from(`${Date.now()}:${crypto.randomUUID()}`).toString("base64url"); // a (created_at, id) cursor
    const pinned = Buffer.from(`1:${Date.now()}:${crypto.randomUUID()}`).toString("base64url"); // a memories cursor
    for (const cursor of [plain, pinned, Buffer.from("feed:x:1:y").toString("base64url")]) {
      expect(await codeOf(me.api.stories.feed.query({ limit: 5, cursor }))).toBe("BAD_REQUEST");
    }
  });
});
