import { insertMessage, memories, recordInteraction, stories, storyMedia, storyReactions } from "@companion/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { createPrivateCompanion, createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";

let t: TestServer;
let alice: SignedInUser;
let bob: SignedInUser;
let luna: string;
let rex: string;
let mira: string;

const today = new Date();
/** Noon UTC, `n` days before today (UTC). */
const daysAgo = (n: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - n, 12));
const dateOf = (n: number) => daysAgo(n).toISOString().slice(0, 10);

async function say(userId: string, companionId: string, n: number, role: "user" | "assistant" = "user") {
  await insertMessage(t.database.db, { userId, companionId, role, content: `day -${n}`, createdAt: daysAgo(n) });
}

/** One story by `companionId` with a slide per emoji, each reacted to by `userId`. */
async function reactAll(userId: string, companionId: string, emojis: string[]) {
  const [story] = await t.database.db
    .insert(stories)
    .values({ authorCompanionId: companionId, expiresAt: new Date(Date.now() + 86_400_000) })
    .returning({ id: stories.id });
  if (!story) throw new Error("no story");
  const media = await t.database.db
    .insert(storyMedia)
    .values(emojis.map((_, i) => ({ storyId: story.id, sortOrder: i, kind: "image" as const, mediaKey: `k/${i}` })))
    .returning({ id: storyMedia.id, sortOrder: storyMedia.sortOrder });
  await t.database.db
    .insert(storyReactions)
    .values(media.map((m) => ({ userId, mediaId: m.id, storyId: story.id, emoji: emojis[m.sortOrder] ?? "?" })));
}

beforeAll(async () => {
  t = await startTestServer();
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  ({ luna = "", rex = "", mira = "" } = await createPublicCompanions(t, ["luna", "rex", "mira"]));
  for (const companionId of [luna, rex, mira]) await alice.api.companions.connect.mutate({ companionId });
  await bob.api.companions.connect.mutate({ companionId: luna });

  // Luna: talked today, -1, -2 (current streak 3) and -5..-9 (longest 5); -3 only the companion spoke.
  for (const n of [0, 1, 1, 2, 5, 6, 7, 8, 9, 40]) await say(alice.id, luna, n);
  await say(alice.id, luna, 1, "assistant");
  await say(alice.id, luna, 3, "assistant");
  await say(bob.id, luna, 4); // Bob's day never counts for Alice
  // Rex: last talked two days ago, so no current streak. Mira: a streak ending yesterday survives.
  for (const n of [2, 3]) await say(alice.id, rex, n);
  for (const n of [1, 2]) await say(alice.id, mira, n);

  // Mood history on -1 (twice: one row) and -5 only.
  for (const n of [5, 1, 1]) await recordInteraction(t.database.db, { userId: alice.id, companionId: luna, kind: "message", sentiment: 0.5, at: daysAgo(n) });

  await t.database.db.insert(memories).values([
    { userId: alice.id, companionId: luna, content: "a" },
    { userId: alice.id, companionId: luna, content: "b" },
    { userId: alice.id, companionId: rex, content: "c" },
    { userId: bob.id, companionId: luna, content: "d" },
  ]);

  await reactAll(alice.id, luna, ["🔥", "🔥", "🔥", "🔥", "❤️", "❤️", "❤️", "😂", "😂", "😮", "😢", "👏"]);
  await reactAll(alice.id, rex, ["😂", "😂", "😂", "😂", "😂"]);
  await reactAll(bob.id, luna, ["👏", "👏", "👏", "👏", "👏"]);
});
afterAll(async () => {
  await t.stop();
});

describe("insights through packages/client over HTTP", () => {
  it("overview: daily mood series with visible gaps and the score trend", async () => {
    const o = await alice.api.insights.overview.query({ companionId: luna, days: 14 });
    expect(o).toMatchObject({ companionId: luna, from: dateOf(13), to: dateOf(0) });
    expect(o.moodSeries.map((d) => d.date)).toEqual(Array.from({ length: 14 }, (_, i) => dateOf(13 - i)));
    const recorded = o.moodSeries.filter((d) => d.mood !== null).map((d) => d.date);
    expect(recorded).toEqual([dateOf(5), dateOf(1)]);
    expect(o.moodSeries.filter((d) => d.mood === null)).toHaveLength(12);
    const points = o.scoreTrend.points.filter((p) => p.affection !== null);
    // +4 affection per 0.5-sentiment message; 4 days of absence decay 54 back to the baseline 50
    // before the two messages of day -1 (one mood_history row holding the later state).
    expect(points.map((p) => p.affection)).toEqual([54, 58]);
    expect(o.scoreTrend.change).toEqual({ affection: 4, trust: 2, energy: 4 });
  });

  it("overview: messages per day for every day of the range, mine only", async () => {
    const o = await alice.api.insights.overview.query({ companionId: luna, days: 14 });
    expect(o.messagesPerDay).toHaveLength(14);
    const byDate = new Map(o.messagesPerDay.map((d) => [d.date, d]));
    expect(byDate.get(dateOf(1))).toEqual({ date: dateOf(1), user: 2, assistant: 1 });
    expect(byDate.get(dateOf(3))).toEqual({ date: dateOf(3), user: 0, assistant: 1 });
    expect(byDate.get(dateOf(4))).toEqual({ date: dateOf(4), user: 0, assistant: 0 });
    expect(o.messagesPerDay.reduce((sum, d) => sum + d.user + d.assistant, 0)).toBe(11);
  });

  it("overview: current and longest streak of days I talked", async () => {
    const [l, r, m] = await Promise.all([luna, rex, mira].map((companionId) => alice.api.insights.overview.query({ companionId, days: 7 })));
    expect(l?.streaks).toEqual({ current: 3, longest: 5, lastTalkedOn: dateOf(0) });
    expect(r?.streaks).toEqual({ current: 0, longest: 2, lastTalkedOn: dateOf(2) });
    expect(m?.streaks).toEqual({ current: 2, longest: 2, lastTalkedOn: dateOf(1) });
    const none = await bob.api.insights.overview.query({ companionId: rex, days: 7 });
    expect(none.streaks).toEqual({ current: 0, longest: 0, lastTalkedOn: null });
  });

  it("overview: memory count and my top five reactions on this companion's stories", async () => {
    const o = await alice.api.insights.overview.query({ companionId: luna, days: 30 });
    expect(o.memoryCount).toBe(2);
    expect(o.topReactions.slice(0, 3)).toEqual([
      { emoji: "🔥", count: 4 },
      { emoji: "❤️", count: 3 },
      { emoji: "😂", count: 2 },
    ]);
    // Bob's five 👏 and my five 😂 on Rex's story would change these counts if they leaked in.
    // Which two of the three single reactions follow depends on the collation.
    expect(o.topReactions.map((r) => r.count)).toEqual([4, 3, 2, 1, 1]);
    expect(["😮", "😢", "👏"]).toEqual(expect.arrayContaining(o.topReactions.slice(3).map((r) => r.emoji)));
  });

  it("moodHistory: one entry per day, nulls in the gaps; validates the range", async () => {
    const h = await alice.api.insights.moodHistory.query({ companionId: luna, from: dateOf(6), to: dateOf(0) });
    expect(h.days.map((d) => d.date)).toEqual(Array.from({ length: 7 }, (_, i) => dateOf(6 - i)));
    expect(h.days.filter((d) => d.mood !== null).map((d) => [d.date, d.affection])).toEqual([
      [dateOf(5), 54],
      [dateOf(1), 58],
    ]);
    expect((await alice.api.insights.moodHistory.query({ companionId: luna, from: "2024-01-01", to: "2024-12-31" })).days).toHaveLength(366);

    const reversed = await failureOf(alice.api.insights.moodHistory.query({ companionId: luna, from: dateOf(0), to: dateOf(1) }));
    expect(reversed.fieldErrors).toHaveProperty("from");
    const tooLong = await failureOf(alice.api.insights.moodHistory.query({ companionId: luna, from: "2024-01-01", to: "2025-01-01" }));
    expect(tooLong.fieldErrors).toHaveProperty("to");
    const notADate = await failureOf(alice.api.insights.moodHistory.query({ companionId: luna, from: "2024-02-30", to: "tomorrow" }));
    expect(notADate.code).toBe("BAD_REQUEST");
    expect(notADate.fieldErrors).toHaveProperty("to");
  });

  it("rejects bad input and hides companions I may not see", async () => {
    for (const days of [0, 366, 1.5]) {
      const err = await failureOf(alice.api.insights.overview.query({ companionId: luna, days }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.fieldErrors).toHaveProperty("days");
    }
    const hidden = await createPrivateCompanion(t, bob.id);
    expect((await failureOf(alice.api.insights.overview.query({ companionId: hidden, days: 7 }))).code).toBe("NOT_FOUND");
    expect((await failureOf(alice.api.insights.moodHistory.query({ companionId: hidden, from: dateOf(1), to: dateOf(0) }))).code).toBe("NOT_FOUND");
    expect((await bob.api.insights.overview.query({ companionId: hidden, days: 7 })).memoryCount).toBe(0);
  });
});
