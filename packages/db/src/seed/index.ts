import { and, eq, gt, inArray, isNull, notExists, sql } from "drizzle-orm";
import { publishCompanionStory, type OnCompanionStoryPublished } from "../queries/stories/companion.ts";
import { companionPersonas, companions, stories } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { demoCompanions, type CompanionSeed } from "./demo-companions.ts";
import { DEMO_SLIDE_HEIGHT, DEMO_SLIDE_WIDTH, demoSlideKey, demoStories } from "./demo-stories.ts";

export { demoCompanions, type CompanionSeed } from "./demo-companions.ts";
export { demoStories } from "./demo-stories.ts";
export { renderDemoMedia } from "./demo-media.ts";
export { renderStoryCardSvg, STORY_CARD_HEIGHT, STORY_CARD_PALETTES, STORY_CARD_WIDTH } from "./story-card.ts";

/**
 * Upserts companions by slug (profile and persona together, in one transaction).
 * Used by the demo seed and `pnpm admin companions:import`.
 */
export async function upsertCompanions(db: Database, seeds: CompanionSeed[]): Promise<{ inserted: number; updated: number }> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (const c of seeds) {
      // Greetings only when the seed has them: an import without one keeps what the companion has.
      const profile = {
        name: c.name,
        tagline: c.tagline,
        bio: c.bio,
        traits: c.traits,
        avatarUrl: c.avatarUrl,
        ...(c.greeting === undefined ? {} : { greeting: c.greeting }),
        ...(c.alternateGreetings === undefined ? {} : { alternateGreetings: c.alternateGreetings }),
      };
      const [row] = await tx
        .insert(companions)
        .values({ slug: c.slug, ...profile })
        // Only a system companion is updated: a person's own companion under that slug is left alone.
        .onConflictDoUpdate({ target: companions.slug, set: { ...profile, updatedAt: sql`now()` }, setWhere: isNull(companions.ownerUserId) })
        .returning({ id: companions.id, inserted: sql<boolean>`(xmax = 0)` });
      if (!row) throw new Error(`the slug ${c.slug} belongs to a person's own companion; choose another`);
      if (row.inserted) inserted++;
      await tx
        .insert(companionPersonas)
        .values({ companionId: row.id, ...c.persona })
        .onConflictDoUpdate({ target: companionPersonas.companionId, set: { ...c.persona, updatedAt: sql`now()` } });
    }
    return { inserted, updated: seeds.length - inserted };
  });
}

/**
 * Demo content for the embedded default and `pnpm admin db:seed`; idempotent. Missing demo
 * companions are created (existing ones are left as they are, but get a greeting if they have
 * none), and each demo companion without a live story gets its demo stories, posted hours
 * ago and expiring 24h after that.
 */
export async function seedDemoContent(
  db: Database,
  options: { now?: Date; onStoryPublished?: OnCompanionStoryPublished } = {},
): Promise<{ companions: number; stories: number }> {
  const now = options.now ?? new Date();
  const existing = await db.select({ slug: companions.slug }).from(companions);
  const have = new Set(existing.map((r) => r.slug));
  const missing = demoCompanions.filter((c) => !have.has(c.slug));
  const { inserted } = missing.length > 0 ? await upsertCompanions(db, missing) : { inserted: 0 };
  await setDemoTimeZones(db);
  await setDemoGreetings(db);
  return { companions: inserted, stories: await seedDemoStories(db, now, options.onStoryPublished) };
}

/** Where each demo companion "lives": their stories are posted at its local hours (docs/stories.md). */
const DEMO_TIME_ZONES: Readonly<Record<string, string>> = {
  luna: "Europe/Berlin",
  rex: "America/Denver",
  mira: "Europe/London",
  kai: "Asia/Tokyo",
  sol: "America/Mexico_City",
};

/** Only companions still on the default zone: an operator's choice is kept. */
async function setDemoTimeZones(db: Database): Promise<void> {
  for (const [slug, zone] of Object.entries(DEMO_TIME_ZONES)) {
    await db.update(companions).set({ timeZone: zone }).where(and(eq(companions.slug, slug), eq(companions.timeZone, "UTC")));
  }
}

/** Demo companions seeded before greetings existed get theirs; a greeting an operator wrote is kept. */
async function setDemoGreetings(db: Database): Promise<void> {
  for (const c of demoCompanions) {
    if (!c.greeting) continue;
    await db.update(companions).set({ greeting: c.greeting }).where(and(eq(companions.slug, c.slug), eq(companions.greeting, ""), isNull(companions.ownerUserId)));
  }
}

// Any constant; it only has to be the same for every process that seeds.
const SEED_STORIES_LOCK_KEY = 727_274_002;
const HOUR_MS = 3_600_000;

/**
 * Posts the demo stories of every demo companion that has no live story. One transaction
 * under an advisory lock, so two processes seeding at once cannot both decide a companion
 * needs stories. Returns the number of stories posted.
 */
async function seedDemoStories(db: Database, now: Date, onPublished: OnCompanionStoryPublished | undefined): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_STORIES_LOCK_KEY})`);
    const live = tx
      .select({ id: stories.id })
      .from(stories)
      .where(and(eq(stories.authorCompanionId, companions.id), isNull(stories.deletedAt), gt(stories.expiresAt, now)));
    const due = await tx
      .select({ id: companions.id, slug: companions.slug })
      .from(companions)
      .where(and(inArray(companions.slug, Object.keys(demoStories)), notExists(live)))
      .orderBy(companions.slug);
    let posted = 0;
    for (const companion of due) {
      let n = 0;
      for (const story of demoStories[companion.slug] ?? []) {
        await publishCompanionStory(tx, {
          companionId: companion.id,
          caption: story.caption,
          ...(onPublished ? { onPublished } : {}),
          createdAt: new Date(now.getTime() - story.postedHoursAgo * HOUR_MS),
          slides: story.slides.map(() => ({
            kind: "image" as const,
            mediaKey: demoSlideKey(companion.slug, ++n),
            width: DEMO_SLIDE_WIDTH,
            height: DEMO_SLIDE_HEIGHT,
          })),
        });
        posted++;
      }
    }
    return posted;
  });
}
