/**
 * Story drafts for companions a person owns (docs/stories.md#drafts): the model (or the
 * offline writer) drafts in the request, since the person asked and waits; approval renders
 * the cards and publishes. Only the owner sees a draft: anyone else gets NOT_FOUND.
 */
import { randomUUID } from "node:crypto";
import type { ChatChain } from "@companion/ai";
import {
  assertDraftOpen,
  countStoryDraftsSince,
  getCompanionStoryContext,
  insertStoryDraft,
  listStoryDrafts,
  lockStoryDraft,
  lockStoryDraftQuota,
  updateStoryDraftStatus,
  withUser,
  type Database,
  type Page,
  type StoryDraftRecord,
} from "@companion/db";
import { DomainError } from "@companion/errors";
import type { JobQueue } from "@companion/jobs";
import type { StoriesApproveDraftInput, StoriesDraftForCompanionInput, StoriesDraftsInput } from "@companion/validators";
import { guardPost, personaGuard } from "./chat-guard.ts";
import { publishWithNotifications, slidePalettes, storeStoryCards, writeCompanionStory } from "./companion-stories.ts";
import type { MediaService } from "./media.ts";

export interface StoryDraftService {
  /** NOT_FOUND unless I own the companion; QUOTA_EXCEEDED past the daily quota. */
  draftForCompanion(userId: string, input: StoriesDraftForCompanionInput): Promise<StoryDraftRecord>;
  /** Renders and publishes; NOT_FOUND if not my draft, CONFLICT if already published or discarded. */
  approveDraft(userId: string, input: StoriesApproveDraftInput): Promise<StoryDraftRecord>;
  /** NOT_FOUND if not my draft, CONFLICT if published; discarding twice is fine. */
  discardDraft(userId: string, draftId: string): Promise<StoryDraftRecord>;
  list(userId: string, input: StoriesDraftsInput): Promise<Page<StoryDraftRecord>>;
}

const DAY_MS = 86_400_000;

const utcDayStart = (now: Date) => new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

export function createStoryDraftService(deps: {
  db: Database;
  chain: ChatChain;
  media: Pick<MediaService, "storeCompanionCard" | "purge">;
  jobs: Pick<JobQueue, "enqueue">;
  /** Drafts a person may create per UTC day (STORY_DRAFT_DAILY_QUOTA). */
  dailyQuota: number;
}): StoryDraftService {
  const { db } = deps;

  const quotaExceeded = (now: Date) =>
    new DomainError("QUOTA_EXCEEDED", `At most ${deps.dailyQuota} story drafts a day`, {
      retryAfterMs: utcDayStart(now).getTime() + DAY_MS - now.getTime(),
      quota: deps.dailyQuota,
    });

  const ownedCompanion = async (userId: string, companionId: string) => {
    const companion = await withUser(db, userId, (tx) => getCompanionStoryContext(tx, { companionId }));
    // A system companion, or another person's: not mine to draft for.
    if (!companion || companion.ownerUserId !== userId) throw new DomainError("NOT_FOUND", "Companion not found");
    return companion;
  };

  return {
    async draftForCompanion(userId, input) {
      const companion = await ownedCompanion(userId, input.companionId);
      const now = new Date();
      // Checked before the model call (none is spent past the quota), and again under the lock.
      const used = await withUser(db, userId, (tx) => countStoryDraftsSince(tx, { userId, since: utcDayStart(now) }));
      if (used >= deps.dailyQuota) throw quotaExceeded(now);
      const seed = randomUUID();
      const { post } = await writeCompanionStory(deps.chain, companion, { at: now, seed, prompt: input.prompt });
      const palettes = slidePalettes(seed, post.slides.length);
      return withUser(db, userId, async (tx) => {
        await lockStoryDraftQuota(tx, { userId });
        if ((await countStoryDraftsSince(tx, { userId, since: utcDayStart(now) })) >= deps.dailyQuota) throw quotaExceeded(now);
        return insertStoryDraft(tx, {
          userId,
          companionId: companion.id,
          prompt: input.prompt ?? null,
          caption: post.caption,
          slides: post.slides.map((s, i) => ({ ...s, palette: palettes[i] ?? 0 })),
        });
      });
    },

    async approveDraft(userId, input) {
      const draft = await withUser(db, userId, (tx) => lockStoryDraft(tx, { userId, draftId: input.draftId }));
      assertDraftOpen(draft);
      const companion = await ownedCompanion(userId, draft.companionId);
      // The owner saw the draft whole; a published story is read by anyone, so what the model wrote
      // from the persona leaves it (docs/anti-leak.md). A caption the owner typed is theirs to publish.
      const guard = await withUser(db, userId, (tx) => personaGuard(tx, companion.id, null));
      const written = guardPost(draft, guard);
      // Rendered and stored before the transaction: no lock is held across the store's round trips.
      const slides = await storeStoryCards(deps.media, companion, written.slides);
      try {
        // Service role: the fan-out to connected people reads relationships RLS hides from the owner;
        // every statement on the draft still filters by its owner.
        return await db.transaction(async (tx) => {
          const open = await lockStoryDraft(tx, { userId, draftId: draft.id });
          assertDraftOpen(open);
          const caption = input.caption ?? guard(open.caption);
          const storyId = await publishWithNotifications(tx, deps.jobs, { companionId: open.companionId, caption, slides });
          return updateStoryDraftStatus(tx, { userId, draftId: open.id, status: "published", storyId, caption });
        });
      } catch (err) {
        // Approved twice at once: the other approval's cards are in use, these never were.
        await deps.media.purge(db, slides.map((s) => s.mediaKey)).catch(() => undefined);
        throw err;
      }
    },

    async discardDraft(userId, draftId) {
      return withUser(db, userId, async (tx) => {
        const draft = await lockStoryDraft(tx, { userId, draftId });
        if (draft.status === "discarded") return draft;
        assertDraftOpen(draft);
        return updateStoryDraftStatus(tx, { userId, draftId, status: "discarded" });
      });
    },

    list: (userId, input) => withUser(db, userId, (tx) => listStoryDrafts(tx, { userId, ...input })),
  };
}
