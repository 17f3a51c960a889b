/**
 * The visibility matrix of user stories, through packages/client over HTTP:
 * {public, friends, private} × {author, mutual follower, one-way follower, stranger, audience
 * stranger} × {before, after expiry}, asserting feed inclusion and byId, and that reacting,
 * unreacting and marking viewed a story I may not see is NOT_FOUND.
 *
 * How the private column maps: the private story's audience is the one-way follower and an
 * "audience stranger" (in the audience, follows nobody). The mutual follower is NOT in the
 * audience, so private is the one column where mutual ≠ visible. The audience stranger shows
 * that the feed lists only people I follow: the story opens by id, it is not in the feed.
 */
import { events } from "@companion/db";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { ageStory, follow, postStory, startSocialServer, type Story } from "./social-fixtures.ts";
import { codeOf, signUp, type SignedInUser } from "./story-fixtures.ts";

type Visibility = "public" | "friends" | "private";
type Viewer = "author" | "mutual" | "oneWay" | "stranger" | "audienceStranger";
type Phase = "before expiry" | "after expiry";

/** Before expiry: [in my feed, opens by id]. After expiry nobody sees anything. */
const expected: Record<Visibility, Record<Viewer, [feed: boolean, byId: boolean]>> = {
  public: { author: [true, true], mutual: [true, true], oneWay: [true, true], stranger: [false, true], audienceStranger: [false, true] },
  friends: { author: [true, true], mutual: [true, true], oneWay: [false, false], stranger: [false, false], audienceStranger: [false, false] },
  private: { author: [true, true], mutual: [false, false], oneWay: [true, true], stranger: [false, false], audienceStranger: [false, true] },
};

const visibilities: Visibility[] = ["public", "friends", "private"];
const viewers: Viewer[] = ["author", "mutual", "oneWay", "stranger", "audienceStranger"];
const phases: Phase[] = ["before expiry", "after expiry"];

let t: TestServer;
const users = {} as Record<Viewer, SignedInUser>;
const posted = {} as Record<Phase, Record<Visibility, Story>>;

beforeAll(async () => {
  t = await startSocialServer();
  for (const v of viewers) users[v] = await signUp(t, v);
  const { author, mutual, oneWay } = users;
  await follow(author, mutual);
  await follow(mutual, author);
  await follow(oneWay, author);
  for (const phase of phases) {
    const row = {} as Record<Visibility, Story>;
    for (const visibility of visibilities) {
      const audienceUserIds = visibility === "private" ? [oneWay.id, users.audienceStranger.id] : undefined;
      row[visibility] = await postStory(t, author, { visibility, audienceUserIds, caption: `${visibility} ${phase}` });
    }
    posted[phase] = row;
  }
  // 25 hours ago: expired an hour ago; the cleanup job has not run (reads must not need it).
  for (const s of Object.values(posted["after expiry"])) await ageStory(t, s.id, 25);
});
afterAll(async () => {
  await t.stop();
});

const cases = phases.flatMap((phase) =>
  visibilities.flatMap((visibility) =>
    viewers.map((viewer) => {
      const [feed, byId] = phase === "before expiry" ? expected[visibility][viewer] : [false, false];
      return { phase, visibility, viewer, feed, byId };
    }),
  ),
);

describe("user story visibility matrix", () => {
  it.each(cases)("$visibility story, $viewer, $phase: in feed $feed, opens by id $byId", async ({ phase, visibility, viewer, feed, byId }) => {
    const story = posted[phase][visibility];
    const { api } = users[viewer];
    const page = await api.stories.feed.query({ limit: 50 });
    expect(page.items.map((s) => s.id).includes(story.id)).toBe(feed);

    const mediaId = story.slides[0]?.id ?? "";
    if (byId) {
      const got = await api.stories.byId.query({ storyId: story.id });
      expect(got).toMatchObject({ id: story.id, visibility, author: { kind: "user", id: users.author.id, name: "author" } });
      if (feed) expect(page.items.find((s) => s.id === story.id)).toEqual(got);
    } else {
      expect(await codeOf(api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
      expect(await codeOf(api.stories.react.mutate({ mediaId, emoji: "🔥" }))).toBe("NOT_FOUND");
      expect(await codeOf(api.stories.unreact.mutate({ mediaId }))).toBe("NOT_FOUND");
      expect(await codeOf(api.stories.markViewed.mutate({ storyId: story.id }))).toBe("NOT_FOUND");
    }
  });

  it("the matrix is not vacuous: every viewer sees something and misses something", () => {
    for (const v of viewers) {
      const row = visibilities.map((vis) => expected[vis][v][1]);
      if (v === "author") expect(row.every(Boolean)).toBe(true);
      else expect(new Set(row).size, v).toBe(2);
    }
  });

  it("unfollowing takes a friends story away; following back gives it back", async () => {
    const { author, mutual } = users;
    const story = posted["before expiry"].friends;
    await author.api.social.unfollow.mutate({ userId: mutual.id });
    expect(await codeOf(mutual.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
    expect((await mutual.api.stories.feed.query({ limit: 50 })).items.map((s) => s.id)).not.toContain(story.id);
    await author.api.social.follow.mutate({ userId: mutual.id });
    expect((await mutual.api.stories.byId.query({ storyId: story.id })).id).toBe(story.id);
  });

  it("a visible story can be reacted to, unreacted and marked viewed; the author hears of it", async () => {
    const { oneWay, author } = users;
    const story = posted["before expiry"].private;
    const mediaId = story.slides[0]?.id ?? "";
    expect(await oneWay.api.stories.react.mutate({ mediaId, emoji: "❤️" })).toEqual({ mediaId, storyId: story.id, emoji: "❤️" });
    expect(await oneWay.api.stories.unreact.mutate({ mediaId })).toEqual({ mediaId, removed: true });
    await oneWay.api.stories.react.mutate({ mediaId, emoji: "😂" });
    await oneWay.api.stories.markViewed.mutate({ storyId: story.id });
    expect((await oneWay.api.stories.byId.query({ storyId: story.id })).seen).toBe(true);
    const viewers = await author.api.stories.viewers.query({ storyId: story.id });
    expect(viewers.items.map((v) => v.user.id)).toEqual([oneWay.id]);
    // story.reacted (twice: each reaction set) and story.viewed, to the author's event stream (with
    // the notifications of follows and reactions, which jobs write: not counted here).
    const all = await t.database.db.select({ type: events.type, payload: events.payload }).from(events).where(eq(events.userId, author.id)).orderBy(asc(events.id));
    const mine = all.filter((e) => e.type.startsWith("story."));
    expect(mine).toEqual([
      { type: "story.reacted", payload: { storyId: story.id, mediaId, reactorId: oneWay.id, emoji: "❤️" } },
      { type: "story.reacted", payload: { storyId: story.id, mediaId, reactorId: oneWay.id, emoji: "😂" } },
      { type: "story.viewed", payload: { storyId: story.id, viewerId: oneWay.id } },
    ]);
  });
});

/**
 * Blocked pairs, both directions: after a block neither sees the other's stories (feed, byId),
 * neither can view, react or follow, the follows both ways are gone, and the viewers list of
 * each one's story leaves the other out. A mute only takes stories out of the muter's feed.
 */
describe("blocked pairs", () => {
  type Side = "blocker" | "blocked";
  const side = {} as Record<Side, SignedInUser>;
  const story = {} as Record<Side, Story>;
  const otherSide = (s: Side): Side => (s === "blocker" ? "blocked" : "blocker");

  beforeAll(async () => {
    side.blocker = await signUp(t, "blocker");
    side.blocked = await signUp(t, "blocked");
    await follow(side.blocker, side.blocked);
    await follow(side.blocked, side.blocker);
    for (const s of ["blocker", "blocked"] as const) {
      // Public: only the block keeps it from opening by id.
      story[s] = await postStory(t, side[s], { visibility: "public", caption: `${s}'s` });
      // Seen by the other before the block: the viewers list must drop it after.
      await side[otherSide(s)].api.stories.markViewed.mutate({ storyId: story[s].id });
    }
    expect(await side.blocker.api.social.block.mutate({ userId: side.blocked.id })).toEqual({ userId: side.blocked.id, blocked: true });
  });

  it.each(["blocker", "blocked"] as const)("the %s: the other's story is not in the feed, not by id, not viewable or reactable", async (s) => {
    const me = side[s];
    const theirs = story[otherSide(s)];
    const mediaId = theirs.slides[0]?.id ?? "";
    expect((await me.api.stories.feed.query({ limit: 50 })).items.map((x) => x.id)).toEqual([story[s].id]);
    expect(await codeOf(me.api.stories.byId.query({ storyId: theirs.id }))).toBe("NOT_FOUND");
    expect(await codeOf(me.api.stories.react.mutate({ mediaId, emoji: "🔥" }))).toBe("NOT_FOUND");
    expect(await codeOf(me.api.stories.markViewed.mutate({ storyId: theirs.id }))).toBe("NOT_FOUND");
    expect((await me.api.stories.viewers.query({ storyId: story[s].id })).items).toEqual([]);
  });

  it.each(["blocker", "blocked"] as const)("the %s cannot follow the other, and follows neither way remain", async (s) => {
    const me = side[s];
    expect(await codeOf(me.api.social.follow.mutate({ userId: side[otherSide(s)].id }))).toBe("NOT_FOUND");
    expect((await me.api.social.following.query({})).items).toEqual([]);
    expect((await me.api.social.followers.query({})).items).toEqual([]);
  });

  it("blocked lists whom I blocked; unblock gives public stories back but not the follows", async () => {
    const { blocker, blocked } = side;
    expect((await blocker.api.social.blocked.query({})).items.map((e) => e.user)).toEqual([{ id: blocked.id, displayName: "blocked", avatarUrl: null }]);
    expect((await blocked.api.social.blocked.query({})).items).toEqual([]);
    const open = await postStory(t, blocker, { visibility: "public" });
    expect(await codeOf(blocked.api.stories.byId.query({ storyId: open.id }))).toBe("NOT_FOUND");
    expect(await blocker.api.social.unblock.mutate({ userId: blocked.id })).toEqual({ userId: blocked.id, blocked: false });
    expect((await blocked.api.stories.byId.query({ storyId: open.id })).id).toBe(open.id);
    expect((await blocked.api.social.following.query({})).items).toEqual([]);
    expect(await codeOf(blocker.api.social.block.mutate({ userId: blocker.id }))).toBe("BAD_REQUEST");
  });

  it("a mute takes their stories out of my feed only; they still see mine", async () => {
    const muter = await signUp(t, "muter");
    const muted = await signUp(t, "muted");
    await follow(muter, muted);
    await follow(muted, muter);
    const theirs = await postStory(t, muted, { visibility: "public" });
    const mine = await postStory(t, muter, { visibility: "public" });
    expect(await muter.api.social.mute.mutate({ userId: muted.id })).toEqual({ userId: muted.id, muted: true });
    expect((await muter.api.stories.feed.query({ limit: 50 })).items.map((x) => x.id)).toEqual([mine.id]);
    expect((await muter.api.stories.byId.query({ storyId: theirs.id })).id).toBe(theirs.id);
    expect((await muted.api.stories.feed.query({ limit: 50 })).items.map((x) => x.id)).toContain(mine.id);
    expect((await muter.api.social.muted.query({})).items.map((e) => e.user.id)).toEqual([muted.id]);
    await muter.api.social.unmute.mutate({ userId: muted.id });
    expect((await muter.api.stories.feed.query({ limit: 50 })).items.map((x) => x.id)).toContain(theirs.id);
  });
});
