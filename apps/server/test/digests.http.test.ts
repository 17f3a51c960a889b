/**
 * Weekly digests (docs/insights.md) through packages/client, offline (template letters): a week
 * of activity written with past timestamps, the sweep for that week, the stats, the letter,
 * the notification, a second run that changes nothing, NOT_FOUND for another person's, paging.
 * The model letter is in digests-model.http.test.ts.
 */
import { randomBytes } from "node:crypto";
import { digests, memories, messages, moodHistory, publishCompanionStory, storyMedia, storyReactions, users } from "@companion/db";
import { isoWeekOf, isoWeekStart } from "@companion/validators";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The ISO week `weeksAgo` weeks before this one, and its Monday 00:00 UTC. */
function pastWeek(weeksAgo: number): { week: string; start: number } {
  const week = isoWeekOf(new Date(Date.now() - weeksAgo * 7 * DAY_MS));
  return { week, start: Date.parse(isoWeekStart(week)) };
}

async function pair(name = "Sam"): Promise<{ user: SignedInUser; companionId: string; companionName: string }> {
  const user = await signUp(t, name);
  const slug = `dg-${randomBytes(4).toString("hex")}`;
  const { [slug]: companionId } = await createPublicCompanions(t, [slug]);
  if (!companionId) throw new Error("no companion");
  await user.api.companions.connect.mutate({ companionId });
  return { user, companionId, companionName: slug.toUpperCase() };
}

const talk = (userId: string, companionId: string, at: number, role: "user" | "assistant" = "user") =>
  t.database.db.insert(messages).values({ userId, companionId, role, content: `${role} message`, createdAt: new Date(at) });

/** A week of activity: 4 messages each way on Mon, Tue, Wed (+ the Sunday before), moods, memories, reactions. */
async function busyWeek(userId: string, companionId: string, start: number): Promise<void> {
  for (const [day, n] of [[0, 2], [1, 1], [2, 1]] as const) {
    for (let i = 0; i < n; i++) {
      await talk(userId, companionId, start + day * DAY_MS + (10 + i) * HOUR_MS);
      await talk(userId, companionId, start + day * DAY_MS + (10 + i) * HOUR_MS + 60_000, "assistant");
    }
  }
  await talk(userId, companionId, start - DAY_MS + 12 * HOUR_MS); // the Sunday before: the streak goes on
  await talk(userId, companionId, start + 8 * DAY_MS); // the next week: not counted
  const day = (d: number) => new Date(start + d * DAY_MS).toISOString().slice(0, 10);
  await t.database.db.insert(moodHistory).values([
    { userId, companionId, recordedOn: day(0), mood: "neutral", affection: 50, trust: 50, energy: 50 },
    { userId, companionId, recordedOn: day(2), mood: "joyful", affection: 60, trust: 55, energy: 70 },
  ]);
  await t.database.db.insert(memories).values([
    { userId, companionId, content: "Likes coffee.", importance: 5, createdAt: new Date(start + HOUR_MS) },
    { userId, companionId, content: "Has a sister called Ana.", importance: 9, createdAt: new Date(start + 2 * HOUR_MS) },
    { userId, companionId, content: "Older memory.", importance: 10, createdAt: new Date(start - 3 * DAY_MS) },
  ]);
  const { storyId } = await publishCompanionStory(t.database.db, {
    companionId,
    slides: [1, 2, 3].map((i) => ({ kind: "image" as const, mediaKey: `demo/${i}.png` })),
    createdAt: new Date(start + DAY_MS),
  });
  const slides = await t.database.db.select({ id: storyMedia.id }).from(storyMedia).where(eq(storyMedia.storyId, storyId)).orderBy(asc(storyMedia.sortOrder));
  const emojis = ["❤️", "😂", "❤️"];
  await t.database.db
    .insert(storyReactions)
    .values(slides.map((s, i) => ({ userId, storyId, mediaId: s.id, emoji: emojis[i] ?? "❤️", createdAt: new Date(start + DAY_MS + HOUR_MS) })));
}

const runSweep = async (week: string) => {
  await t.server.runtime.jobs.send("digests.sweep", { week });
  await t.settle();
};

describe("weekly digests", () => {
  it("a week of activity: the numbers, a template letter, a notification; a second run changes nothing", async () => {
    const { user, companionId, companionName } = await pair();
    const { week, start } = pastWeek(1);
    await busyWeek(user.id, companionId, start);

    await runSweep(week);

    const digest = await user.api.insights.digest.query({ companionId, week });
    expect(digest).toMatchObject({ companionId, companionName, week, weekStart: isoWeekStart(week), method: "template" });
    expect(digest.stats).toMatchObject({
      userMessages: 4,
      companionMessages: 4,
      daysTalked: 3,
      streak: 4,
      mood: { start: "neutral", end: "joyful" },
      memories: { count: 2, top: ["Has a sister called Ana.", "Likes coffee."] },
      topReactions: [
        { emoji: "❤️", count: 2 },
        { emoji: "😂", count: 1 },
      ],
    });
    expect(digest.stats.mood.days).toHaveLength(2);
    expect(digest.letter).toContain("Dear Sam");
    expect(digest.letter).toContain("4 messages");
    expect(digest.letter).toContain(companionName);
    const notes = (await user.api.notifications.list.query({})).items.filter((n) => n.kind === "digest_ready");
    expect(notes).toHaveLength(1);
    expect(notes[0]?.data).toMatchObject({ digestId: digest.id, companionId, week });

    await runSweep(week);
    await t.server.runtime.jobs.send("digests.build", { userId: user.id, companionId, week });
    await t.settle();
    const rows = await t.database.db.select({ id: digests.id }).from(digests).where(eq(digests.userId, user.id));
    expect(rows).toHaveLength(1);
    expect((await user.api.notifications.list.query({})).items.filter((n) => n.kind === "digest_ready")).toHaveLength(1);
  });

  it("counts days in the person's time zone", async () => {
    const { user, companionId } = await pair();
    await t.database.db.update(users).set({ timeZone: "Etc/GMT-10" }).where(eq(users.id, user.id)); // UTC+10
    const { week, start } = pastWeek(1);
    // Sunday 20:00 UTC before the week is Monday 06:00 for them; Monday 20:00 UTC is Tuesday 06:00.
    await talk(user.id, companionId, start - 4 * HOUR_MS);
    await talk(user.id, companionId, start + 20 * HOUR_MS);
    await runSweep(week);
    const digest = await user.api.insights.digest.query({ companionId, week });
    expect(digest.stats).toMatchObject({ userMessages: 2, daysTalked: 2, streak: 2 });
  });

  it("no digest for a quiet week; NOT_FOUND for another person's; bad weeks are 400", async () => {
    const { user, companionId } = await pair();
    const other = await signUp(t, "Other");
    const { week, start } = pastWeek(1);
    await talk(user.id, companionId, start + HOUR_MS);
    await runSweep(week);
    await user.api.insights.digest.query({ companionId, week });
    expect((await failureOf(other.api.insights.digest.query({ companionId, week }))).code).toBe("NOT_FOUND");
    expect((await other.api.insights.digests.query({})).items).toEqual([]);
    expect((await failureOf(user.api.insights.digest.query({ companionId, week: pastWeek(3).week }))).code).toBe("NOT_FOUND");
    for (const bad of ["2025-W53", "2026-W00", "2026-W54", "2026-49", "W49"]) {
      expect((await failureOf(user.api.insights.digest.query({ companionId, week: bad }))).code).toBe("BAD_REQUEST");
    }
  });

  it("insights.digests pages newest week first", async () => {
    const { user, companionId } = await pair();
    const weeks = [1, 2, 3].map(pastWeek);
    for (const { week, start } of weeks) {
      await talk(user.id, companionId, start + HOUR_MS);
      await runSweep(week);
    }
    const first = await user.api.insights.digests.query({ limit: 2 });
    expect(first.items.map((d) => d.week)).toEqual([weeks[0]?.week, weeks[1]?.week]);
    expect(first.nextCursor).not.toBeNull();
    const second = await user.api.insights.digests.query({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((d) => d.week)).toEqual([weeks[2]?.week]);
    expect(second.nextCursor).toBeNull();
    expect((await failureOf(user.api.insights.digests.query({ cursor: "bm90LWEtY3Vyc29y" }))).code).toBe("BAD_REQUEST");
  });

  it("the sweep without a week builds the previous ISO week", async () => {
    const { user, companionId } = await pair();
    const { week, start } = pastWeek(1);
    await talk(user.id, companionId, start + 30 * HOUR_MS);
    await t.runJob("digests.sweep");
    const found = await t.database.db.select({ week: digests.week }).from(digests).where(and(eq(digests.userId, user.id), eq(digests.companionId, companionId)));
    expect(found).toEqual([{ week }]);
  });
});
