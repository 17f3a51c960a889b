/**
 * social.profile through packages/client over HTTP (docs/social.md#profiles): a person's name,
 * avatar (an upload signed as auth.me signs mine), follow counts and where I stand with them;
 * NOT_FOUND, alike, for someone who blocked me, a disabled or deleted account and an unknown id.
 */
import { users } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { follow, startSocialServer, upload } from "./social-fixtures.ts";
import { codeOf, signUp, type SignedInUser } from "./story-fixtures.ts";

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let carol: SignedInUser;

beforeAll(async () => {
  t = await startSocialServer();
  [alice, bob, carol] = [await signUp(t, "Alice"), await signUp(t, "Bob"), await signUp(t, "Carol")];
});
afterAll(async () => {
  await t.stop();
});

const noState = { isMe: false, followedByMe: false, followsMe: false, blockedByMe: false, mutedByMe: false };

describe("social.profile", () => {
  it("shows name, avatar, counts and both follow directions, from either side", async () => {
    expect(await alice.api.social.profile.query({ userId: bob.id })).toEqual({
      id: bob.id,
      displayName: "Bob",
      avatarUrl: null,
      followerCount: 0,
      followingCount: 0,
      ...noState,
    });
    await follow(alice, bob);
    await follow(carol, bob);
    await follow(bob, carol);
    expect(await alice.api.social.profile.query({ userId: bob.id })).toMatchObject({ followerCount: 2, followingCount: 1, followedByMe: true, followsMe: false });
    expect(await bob.api.social.profile.query({ userId: carol.id })).toMatchObject({ followerCount: 1, followingCount: 1, followedByMe: true, followsMe: true });
    expect(await bob.api.social.profile.query({ userId: alice.id })).toMatchObject({ followerCount: 0, followingCount: 1, followedByMe: false, followsMe: true });
    await alice.api.social.unfollow.mutate({ userId: bob.id });
    expect(await alice.api.social.profile.query({ userId: bob.id })).toMatchObject({ followerCount: 1, followedByMe: false });
  });

  it("my own profile works, with every state false", async () => {
    const me = await bob.api.social.profile.query({ userId: bob.id });
    expect(me).toMatchObject({ id: bob.id, displayName: "Bob", isMe: true, followedByMe: false, followsMe: false, blockedByMe: false, mutedByMe: false });
  });

  it("an uploaded avatar comes as a working URL, as auth.me gives it to its owner", async () => {
    const avatarKey = await upload(t, carol);
    await carol.api.auth.updateProfile.mutate({ avatarKey });
    const mine = await carol.api.auth.me.query();
    const seen = await alice.api.social.profile.query({ userId: carol.id });
    expect(mine.avatarUrl).toEqual(expect.any(String));
    expect(seen.avatarUrl).toEqual(expect.any(String));
    expect(seen.avatarUrl?.split("?")[0]).toBe(mine.avatarUrl?.split("?")[0]);
    expect((await fetch(new URL(seen.avatarUrl ?? "", t.url))).status).toBe(200);
    // Never the email or any other column.
    expect(Object.keys(seen).sort()).toEqual(["avatarUrl", "blockedByMe", "displayName", "followedByMe", "followerCount", "followingCount", "followsMe", "id", "isMe", "mutedByMe"]);
  });

  it("my mute and my block show; whoever I blocked still sees nothing of mine: NOT_FOUND", async () => {
    const [dan, erin] = [await signUp(t, "Dan"), await signUp(t, "Erin")];
    await dan.api.social.mute.mutate({ userId: erin.id });
    expect(await dan.api.social.profile.query({ userId: erin.id })).toMatchObject({ mutedByMe: true, blockedByMe: false });
    // A mute is silent: Erin sees nothing of it.
    expect(await erin.api.social.profile.query({ userId: dan.id })).toMatchObject(noState);

    await dan.api.social.block.mutate({ userId: erin.id });
    expect(await dan.api.social.profile.query({ userId: erin.id })).toMatchObject({ id: erin.id, blockedByMe: true });
    // Blocked by Dan: to Erin, Dan is the same as an unknown id.
    expect(await codeOf(erin.api.social.profile.query({ userId: dan.id }))).toBe("NOT_FOUND");
    // Both ways blocked: NOT_FOUND for Dan too, since Erin blocked him.
    await erin.api.social.block.mutate({ userId: dan.id });
    expect(await codeOf(dan.api.social.profile.query({ userId: erin.id }))).toBe("NOT_FOUND");
    await erin.api.social.unblock.mutate({ userId: dan.id });
    await dan.api.social.unblock.mutate({ userId: erin.id });
    expect(await erin.api.social.profile.query({ userId: dan.id })).toMatchObject({ id: dan.id, ...noState });
  });

  it("a disabled account, a deleted one and an unknown id are NOT_FOUND; bad input is BAD_REQUEST; sign-in required", async () => {
    const [frank, gina] = [await signUp(t, "Frank"), await signUp(t, "Gina")];
    await t.database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, frank.id));
    expect(await codeOf(alice.api.social.profile.query({ userId: frank.id }))).toBe("NOT_FOUND");
    await t.database.db.update(users).set({ disabledAt: null }).where(eq(users.id, frank.id));
    expect(await alice.api.social.profile.query({ userId: frank.id })).toMatchObject({ displayName: "Frank" });

    await gina.api.auth.deleteAccount.mutate({ password: "password-1234" });
    expect(await codeOf(alice.api.social.profile.query({ userId: gina.id }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.social.profile.query({ userId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    expect(await codeOf(alice.api.social.profile.query({ userId: "not-a-uuid" }))).toBe("BAD_REQUEST");
    expect(await codeOf(t.client().social.profile.query({ userId: bob.id }))).toBe("UNAUTHORIZED");
  });
});
