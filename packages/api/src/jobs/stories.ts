/**
 * System companions post stories on a schedule (docs/stories.md#schedule): the sweep finds the
 * companions with a post due and enqueues one publish job each, so one slow model call never
 * holds the others; the publish job writes, renders and posts, then commits only if the plan
 * still says it is due under the companion's lock (a second run, or a racing worker, posts nothing).
 */
import {
  getCompanionPostingState,
  getCompanionStoryContext,
  listSystemCompanionsForStories,
  lockCompanionStoryPosting,
  type Database,
} from "@companion/db";
import type { JobHandlers } from "@companion/jobs";
import { guardPost, personaGuard } from "../services/chat-guard.ts";
import { publishWithNotifications, slidePalettes, storeStoryCards, writeCompanionStory } from "../services/companion-stories.ts";
import { isStoryDue, storyPlan } from "../services/story-schedule.ts";
import type { JobDeps } from "./deps.ts";

export function storyHandlers({ db, queue, media, chat, log }: JobDeps): JobHandlers {
  const isDue = async (tx: Database, companion: { id: string; timeZone: string; traits: string[] }, at: Date) => {
    const plan = storyPlan({ companionId: companion.id, timeZone: companion.timeZone, traits: companion.traits, at });
    const state = await getCompanionPostingState(tx, { companionId: companion.id, dayStart: plan.dayStart, dayEnd: plan.dayEnd, at });
    return isStoryDue(plan, state, at);
  };

  return {
    // Idempotent by the plan: what is due was posted by the first run, so a second finds nothing.
    "stories.companion-post": async ({ at: atIso }) => {
      const at = atIso ? new Date(atIso) : new Date();
      const companions = await listSystemCompanionsForStories(db);
      let due = 0;
      for (const companion of companions) {
        if (!(await isDue(db, companion, at))) continue;
        // One waiting job per companion: a catch-up after downtime is one post per run, not a burst.
        await queue.send("stories.companion-publish", { companionId: companion.id, at: at.toISOString() }, { singletonKey: `companion-story:${companion.id}` });
        due++;
      }
      return { companions: companions.length, due };
    },

    "stories.companion-publish": async ({ companionId, at: atIso }, { signal }) => {
      const at = new Date(atIso);
      const companion = await getCompanionStoryContext(db, { companionId });
      // Gone, private or owned since the sweep: owned companions post through drafts only.
      if (!companion || companion.ownerUserId !== null || companion.visibility !== "public") return { skipped: 1 };
      if (!(await isDue(db, companion, at))) return { skipped: 1 };
      const written = await writeCompanionStory(chat.chain, companion, { at, seed: `${companionId}:${atIso}`, signal });
      // Published to everyone: nothing of the persona in it (docs/anti-leak.md).
      const post = guardPost(written.post, await personaGuard(db, companionId, null));
      const palettes = slidePalettes(`${companionId}:${atIso}`, post.slides.length);
      const slides = await storeStoryCards(
        media,
        companion,
        post.slides.map((s, i) => ({ ...s, palette: palettes[i] ?? 0 })),
      );
      const storyId = await db.transaction(async (tx) => {
        await lockCompanionStoryPosting(tx, { companionId });
        if (!(await isDue(tx, companion, at))) return null;
        return publishWithNotifications(tx, queue, { companionId, caption: post.caption, slides, createdAt: at });
      });
      if (storyId === null) {
        // Another run posted first: its cards are the ones in use; these were never referenced.
        const { failed } = await media.purge(db, slides.map((s) => s.mediaKey));
        for (const { key, error } of failed) log.warn({ key, err: error }, "unused story card not deleted: orphaned");
        return { skipped: 1 };
      }
      return { posted: 1, fromModel: written.source === "model" ? 1 : 0 };
    },
  };
}
