/**
 * System companions post stories on a schedule (docs/stories.md): the sweep (`stories.companion-post`,
 * run by hand here with a simulated clock) posts for companions whose daily plan has a post due;
 * the story reaches connected people's feeds with SVG image cards served from the media store, and a
 * notification. Offline (no key) and through the fake OpenAI server: valid JSON, invalid JSON, down.
 */
import { randomBytes } from "node:crypto";
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { companions, stories, storyMedia, upsertCompanions, type Database } from "@companion/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@companion/db/testing";
import { startTestS3 } from "@companion/storage/testing";
import { startTestServer, type TestServer } from "./harness.ts";
import { connect, signUp } from "./story-fixtures.ts";

const PERSONA = "PERSONA-STORY-MARKER";

async function systemCompanion(t: TestServer | { database: { db: Database } }, opts: { traits?: string[]; timeZone?: string } = {}): Promise<string> {
  const slug = `poster-${randomBytes(4).toString("hex")}`;
  await upsertCompanions(t.database.db, [
    {
      slug,
      name: "Nova",
      tagline: "posts stories",
      bio: "a test companion",
      traits: opts.traits ?? ["curious", "playful"],
      avatarUrl: `/media/avatars/${slug}.svg`,
      persona: { systemPrompt: `${PERSONA} you are Nova`, speakingStyle: "short and bright", backstory: "" },
    },
  ]);
  const [row] = await t.database.db.update(companions).set({ timeZone: opts.timeZone ?? "UTC" }).where(eq(companions.slug, slug)).returning({ id: companions.id });
  if (!row) throw new Error("no companion");
  return row.id;
}

/** Out of later sweeps: each test looks at its own companion only, and keeps the next sweeps short. */
const retire = (t: TestServer, companionId: string) => t.database.db.update(companions).set({ visibility: "private" }).where(eq(companions.id, companionId));

async function sweep(t: TestServer, at?: Date): Promise<void> {
  await t.server.runtime.jobs.send("stories.companion-post", at ? { at: at.toISOString() } : {});
  await t.settle();
}

const storiesOf = (t: TestServer, companionId: string) =>
  t.database.db
    .select({ id: stories.id, caption: stories.caption, createdAt: stories.createdAt })
    .from(stories)
    .where(eq(stories.authorCompanionId, companionId))
    .orderBy(asc(stories.createdAt));

async function expectSvgCards(t: TestServer, slides: { kind: string; url: string }[]): Promise<string[]> {
  expect(slides.length).toBeGreaterThanOrEqual(1);
  expect(slides.length).toBeLessThanOrEqual(3);
  const bodies: string[] = [];
  for (const slide of slides) {
    expect(slide.kind).toBe("image");
    const res = await fetch(new URL(slide.url, t.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    const body = await res.text();
    expect(body.startsWith("<svg")).toBe(true);
    bodies.push(body);
  }
  return bodies;
}

/**
 * Tests that run the expiry themselves: the default every-minute cron would race them (a story
 * posted days ago is expired at once, and a minute boundary between posting and checking its
 * cards purged them early; CI caught it). Once a year (January 1st, 00:00): effectively never during a test.
 */
const EXPIRY_BY_HAND = { STORY_EXPIRY_CRON: "0 0 1 1 *" };

describe("on the embedded default, without a model", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(EXPIRY_BY_HAND);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("a companion that never posted posts at once: a live story in connected feeds, SVG cards, a notification; a second run posts nothing", async () => {
    const companionId = await systemCompanion(t);
    const viewer = await signUp(t, "Viewer");
    await connect(t.database.db, viewer.id, companionId);

    await sweep(t);
    const feed = await viewer.api.stories.feed.query({});
    const mine = feed.items.filter((s) => s.author.id === companionId);
    expect(mine).toHaveLength(1);
    const [story] = mine;
    expect(story?.caption).toEqual(expect.any(String));
    expect(story?.caption?.length).toBeGreaterThan(0);
    expect(story?.author).toMatchObject({ kind: "companion", name: "Nova" });
    const cards = await expectSvgCards(t, story?.slides ?? []);
    expect(cards[0]).toContain("Nova");

    const notes = await viewer.api.notifications.list.query({});
    expect(notes.items.filter((n) => n.kind === "companion_story").map((n) => n.data)).toEqual([{ storyId: story?.id, companionId, companionName: "Nova" }]);

    await sweep(t);
    await sweep(t);
    expect(await storiesOf(t, companionId)).toHaveLength(1);
    await retire(t, companionId);
  });

  it("keeps each local day's posts within its plan (1–3), inside waking hours, catching up one post per run", async () => {
    const companionId = await systemCompanion(t, { timeZone: "Asia/Tokyo", traits: ["calm"] });
    // Three whole days in Tokyo (UTC+9, no DST), ten days back, a sweep every 90 minutes.
    const dayMs = 86_400_000;
    const firstMidnight = new Date(Math.floor((Date.now() - 10 * dayMs) / dayMs) * dayMs - 9 * 3_600_000);
    const perDay: number[] = [];
    let runs = 0;
    for (let day = 0; day < 3; day++) {
      for (let minute = 0; minute < 24 * 60; minute += 90) {
        await sweep(t, new Date(firstMidnight.getTime() + day * dayMs + minute * 60_000));
        runs++;
      }
    }
    const posted = await storiesOf(t, companionId);
    for (let day = 0; day < 3; day++) {
      const start = firstMidnight.getTime() + day * dayMs;
      const inDay = posted.filter((s) => s.createdAt.getTime() >= start && s.createdAt.getTime() < start + dayMs);
      perDay.push(inDay.length);
      for (const s of inDay) {
        const hour = new Date(s.createdAt.getTime() + 9 * 3_600_000).getUTCHours();
        // The default window is 08:00–23:00; only the very first post (never posted before) may come earlier.
        if (s !== posted[0]) expect(hour, s.createdAt.toISOString()).toBeGreaterThanOrEqual(8);
        expect(hour).toBeLessThan(24);
      }
    }
    console.log(`posts per local day over ${runs} simulated sweeps: ${perDay.join(", ")}`);
    for (const n of perDay) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(3);
    }
    await retire(t, companionId);
  }, 180_000);

  it("publish jobs racing (two workers) post once; run again (a retry after it committed) post nothing more", async () => {
    // Where it is about 22:30 now, so that every slot of the day (1 to 3) has passed and each
    // racing job would find one to answer: the lock and the gap between posts let one post.
    const offset = (((22 - new Date().getUTCHours() + 12) % 24) + 24) % 24 - 12;
    const companionId = await systemCompanion(t, { timeZone: offset === 0 ? "UTC" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}` });
    const at = new Date().toISOString();
    // Fetched in one batch and run at once (JOB_CONCURRENCY).
    await Promise.all([1, 2, 3].map(() => t.server.runtime.jobs.send("stories.companion-publish", { companionId, at })));
    await t.settle();
    expect(await storiesOf(t, companionId)).toHaveLength(1);
    await t.server.runtime.jobs.send("stories.companion-publish", { companionId, at });
    await t.settle();
    expect(await storiesOf(t, companionId)).toHaveLength(1);
    await retire(t, companionId);
  });

  it("owned companions never post on the schedule", async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await systemCompanion(t);
    await t.database.db.update(companions).set({ ownerUserId: owner.id }).where(eq(companions.id, companionId));
    await sweep(t);
    await t.server.runtime.jobs.send("stories.companion-publish", { companionId, at: new Date().toISOString() });
    await t.settle();
    expect(await storiesOf(t, companionId)).toEqual([]);
  });

  it("an expired story's cards are purged from the media store", async () => {
    const companionId = await systemCompanion(t);
    await sweep(t, new Date(Date.now() - 3 * 86_400_000));
    const [story] = await storiesOf(t, companionId);
    const keys = (await t.database.db.select({ key: storyMedia.mediaKey }).from(storyMedia).where(inArray(storyMedia.storyId, story ? [story.id] : []))).map((r) => r.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`c/${companionId}/`))).toBe(true);
    const storage = t.server.runtime.services.media.storage;
    expect(await storage.exists(keys[0] ?? "")).toBe(true);
    await t.database.db.update(stories).set({ deletedAt: new Date(Date.now() - 2 * 86_400_000) }).where(and(eq(stories.authorCompanionId, companionId)));
    await t.runJob("stories.expire");
    await t.settle();
    for (const key of keys) expect(await storage.exists(key)).toBe(false);
    await retire(t, companionId);
  });
});

describe("on S3 (s3rver)", () => {
  it("stores the cards in the bucket, serves them through presigned URLs, and purges them after expiry", async () => {
    const s3 = await startTestS3();
    const t = await startTestServer({ ...s3.env, ...EXPIRY_BY_HAND });
    try {
      const companionId = await systemCompanion(t);
      const viewer = await signUp(t, "Viewer");
      await connect(t.database.db, viewer.id, companionId);
      await sweep(t);
      const story = (await viewer.api.stories.feed.query({})).items.find((s) => s.author.id === companionId);
      expect(story?.slides[0]?.url).toMatch(/^http:\/\/.*X-Amz-Signature=/);
      await expectSvgCards(t, story?.slides ?? []);
      const keys = (await t.database.db.select({ key: storyMedia.mediaKey }).from(storyMedia).where(eq(storyMedia.storyId, story?.id ?? ""))).map((r) => r.key);
      const storage = t.server.runtime.services.media.storage;
      expect(await storage.exists(keys[0] ?? "")).toBe(true);
      await t.database.db.update(stories).set({ deletedAt: new Date(Date.now() - 2 * 86_400_000) }).where(eq(stories.authorCompanionId, companionId));
      await t.runJob("stories.expire");
      await t.settle();
      for (const key of keys) expect(await storage.exists(key)).toBe(false);
    } finally {
      await t.stop();
      await s3.close();
    }
  });
});

describe("a fresh deployment", () => {
  it("gets companions' stories soon after start: the server that runs the jobs sweeps once when it starts", async () => {
    const database = await createTestDatabase();
    const companionId = await systemCompanion({ database });
    const t = await startTestServer({ COMPANION_STORY_CRON: "*/20 * * * *" }, { database });
    try {
      await t.settle();
      expect(await storiesOf(t, companionId)).toHaveLength(1);
      const viewer = await signUp(t, "Viewer");
      await connect(t.database.db, viewer.id, companionId);
      expect((await viewer.api.stories.feed.query({})).items.map((s) => s.author.id)).toEqual([companionId]);
      expect((await t.server.runtime.jobs.boss.getSchedules("stories.companion-post")).map((s) => s.cron)).toEqual(["*/20 * * * *"]);
    } finally {
      await t.stop();
    }
  });
});

describe("with a model (the fake OpenAI server)", () => {
  const fake = createFakeOpenAIServer();
  let t: TestServer;
  let closeFake: () => Promise<void>;
  beforeAll(async () => {
    const { url, close } = await fake.start();
    closeFake = close;
    t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "3000", AI_MAX_RETRIES: "0" });
  });
  afterAll(async () => {
    await t?.stop();
    await closeFake?.();
  });

  const modelPost = JSON.stringify({
    caption: "Stargazing <tonight> & more",
    slides: [
      { title: "Look up", body: "The sky is clear" },
      { title: "Bring tea", body: "It gets cold <fast>" },
    ],
  });

  it("writes the caption and slides from the persona with a `story` call (json_schema story_post), text escaped in the SVG", async () => {
    fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? modelPost : undefined) });
    fake.resetCounters();
    const companionId = await systemCompanion(t);
    const viewer = await signUp(t, "Viewer");
    await connect(t.database.db, viewer.id, companionId);
    await sweep(t);
    const story = (await viewer.api.stories.feed.query({})).items.find((s) => s.author.id === companionId);
    expect(story?.caption).toBe("Stargazing <tonight> & more");
    const cards = await expectSvgCards(t, story?.slides ?? []);
    expect(cards).toHaveLength(2);
    expect(cards[1]).toContain("It gets cold &lt;fast&gt;");
    const asked = fake.requestBodies.map((b) => b as { response_format?: { json_schema?: { name?: string } }; messages: { content: string }[] });
    const storyCall = asked.find((b) => b.response_format?.json_schema?.name === "story_post");
    expect(storyCall?.messages[0]?.content).toContain(PERSONA);
    await retire(t, companionId);
  });

  it("invalid JSON from the model: the post still happens, written offline", async () => {
    fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? '{"caption": "half' : undefined) });
    const companionId = await systemCompanion(t);
    await sweep(t);
    const posted = await storiesOf(t, companionId);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.caption).not.toContain("half");
    // Valid JSON that breaks the schema (four slides) is refused the same way.
    fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? JSON.stringify({ caption: "four", slides: [1, 2, 3, 4].map((i) => ({ title: `t${i}`, body: "b" })) }) : undefined) });
    const other = await systemCompanion(t);
    await sweep(t);
    expect((await storiesOf(t, other)).map((s) => s.caption)).not.toContain("four");
    expect(await storiesOf(t, other)).toHaveLength(1);
    await retire(t, companionId);
    await retire(t, other);
  });

  it("the model down (HTTP 500): the post still happens, written offline", async () => {
    fake.setBehavior({ mode: "status", status: 500 });
    const companionId = await systemCompanion(t);
    const viewer = await signUp(t, "Viewer");
    await connect(t.database.db, viewer.id, companionId);
    await sweep(t);
    const story = (await viewer.api.stories.feed.query({})).items.find((s) => s.author.id === companionId);
    expect(story?.caption).toEqual(expect.any(String));
    await expectSvgCards(t, story?.slides ?? []);
    await retire(t, companionId);
  });
});
