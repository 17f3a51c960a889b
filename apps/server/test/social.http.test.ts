/**
 * The follow graph through packages/client over HTTP: social.follow / unfollow (idempotent,
 * not myself, not nobody) and the keyset-paged followers / following lists.
 */
import type { RouterOutputs } from "@companion/client";
import { follows } from "@companion/db";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { codeOf, signUp, type SignedInUser } from "./story-fixtures.ts";

type FollowPage = RouterOutputs["social"]["followers"];

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = [await signUp(t, "Alice"), await signUp(t, "Bob")];
});
afterAll(async () => {
  await t.stop();
});

const ids = (page: FollowPage) => page.items.map((e) => e.user.id);

describe("social.follow / unfollow", () => {
  it("follows and unfollows, both idempotent, and shows on both ends", async () => {
    expect(await alice.api.social.follow.mutate({ userId: bob.id })).toEqual({ userId: bob.id, following: true });
    const first = await bob.api.social.followers.query({});
    expect(first.items).toEqual([{ user: { id: alice.id, displayName: "Alice", avatarUrl: null }, followedAt: expect.any(String) }]);
    // Again: still one follow, the first time kept.
    await alice.api.social.follow.mutate({ userId: bob.id });
    expect(await bob.api.social.followers.query({})).toEqual(first);
    expect(ids(await alice.api.social.following.query({}))).toEqual([bob.id]);

    expect(await alice.api.social.unfollow.mutate({ userId: bob.id })).toEqual({ userId: bob.id, following: false });
    expect(await alice.api.social.unfollow.mutate({ userId: bob.id })).toEqual({ userId: bob.id, following: false });
    expect((await bob.api.social.followers.query({})).items).toEqual([]);
    expect((await alice.api.social.following.query({})).items).toEqual([]);
  });

  it("refuses following myself (BAD_REQUEST) and someone who does not exist (NOT_FOUND)", async () => {
    expect(await codeOf(alice.api.social.follow.mutate({ userId: alice.id }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.social.unfollow.mutate({ userId: alice.id }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.social.follow.mutate({ userId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.social.follow.mutate({ userId: "not-a-uuid" }))).toBe("BAD_REQUEST");
    const rows = await t.database.db.select({ id: follows.followeeId }).from(follows).where(eq(follows.followerId, alice.id));
    expect(rows).toEqual([]);
  });

  it("requires sign-in", async () => {
    expect(await codeOf(t.client().social.follow.mutate({ userId: bob.id }))).toBe("UNAUTHORIZED");
    expect(await codeOf(t.client().social.followers.query({ userId: bob.id }))).toBe("UNAUTHORIZED");
  });
});

describe("social.followers / following", () => {
  it("walks anyone's followers latest first, exactly once across pages, ties in time broken by id", async () => {
    const star = await signUp(t, "Star");
    const fans: SignedInUser[] = [];
    for (let i = 0; i < 7; i++) {
      const fan = await signUp(t, `Fan${i}`);
      await fan.api.social.follow.mutate({ userId: star.id });
      fans.push(fan);
    }
    // Three follows in one millisecond: the keyset must break the tie by id.
    const tie = new Date(Date.now() - 60_000);
    const tied = fans.slice(2, 5).map((f) => f.id);
    await t.database.db.update(follows).set({ createdAt: tie }).where(and(eq(follows.followeeId, star.id), inArray(follows.followerId, tied)));
    const rows = await t.database.db
      .select({ id: follows.followerId, at: follows.createdAt })
      .from(follows)
      .where(eq(follows.followeeId, star.id));
    const expected = rows.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);

    // Read by someone who is neither end: the graph is public to signed-in users.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await alice.api.social.followers.query({ userId: star.id, limit: 3, cursor });
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);

    const fan = fans[0];
    if (!fan) throw new Error("fixture missing");
    expect(ids(await bob.api.social.following.query({ userId: fan.id }))).toEqual([star.id]);
    // Public profile only: no email, no role.
    const [edge] = (await bob.api.social.following.query({ userId: fan.id })).items;
    expect(Object.keys(edge?.user ?? {}).sort()).toEqual(["avatarUrl", "displayName", "id"]);
  });

  it("refuses a bad cursor or limit (BAD_REQUEST); an unknown user is NOT_FOUND", async () => {
    expect(await codeOf(alice.api.social.followers.query({ cursor: "garbage" }))).toBe("BAD_REQUEST");
    const wellFormedButWrong = Buffer.from("12:not-a-uuid").toString("base64url");
    expect(await codeOf(alice.api.social.following.query({ cursor: wellFormedButWrong }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.social.followers.query({ limit: 0 }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.social.followers.query({ limit: 101 }))).toBe("BAD_REQUEST");
    expect(await codeOf(alice.api.social.followers.query({ userId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.social.following.query({ userId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    // Someone real with nobody yet: an empty page, not an error.
    const loner = await signUp(t, "Loner");
    expect(await alice.api.social.followers.query({ userId: loner.id })).toEqual({ items: [], nextCursor: null });
  });
});
