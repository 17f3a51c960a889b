/**
 * Story drafts of companions a person owns (docs/stories.md#drafts): written by the draft
 * service, listed, discarded and approved by their owner only. Every function filters by
 * `userId` and runs in the owner's `withUser` scope, where RLS says the same.
 */
import { and, count, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { DomainError } from "../../errors.ts";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { storyDrafts } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

export interface StoryDraftSlide {
  title: string;
  body: string;
  palette: number;
}

export interface StoryDraftRecord {
  id: string;
  companionId: string;
  prompt: string | null;
  caption: string;
  slides: StoryDraftSlide[];
  status: "draft" | "published" | "discarded";
  storyId: string | null;
  createdAt: Date;
}

const draftColumns = {
  id: storyDrafts.id,
  companionId: storyDrafts.companionId,
  prompt: storyDrafts.prompt,
  caption: storyDrafts.caption,
  slides: storyDrafts.slides,
  status: storyDrafts.status,
  storyId: storyDrafts.storyId,
  createdAt: storyDrafts.createdAt,
};

// Any constant; the second key is the person, whose drafts are counted under it.
const DRAFT_QUOTA_LOCK = 727_274_004;

/** Serializes a person's draft creation until the transaction ends, so the quota count cannot race. */
export async function lockStoryDraftQuota(tx: Database, params: { userId: string }): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DRAFT_QUOTA_LOCK}, hashtext(${params.userId}))`);
}

/** Drafts `userId` created since `since`: the daily quota counts them, discarded ones included. */
export async function countStoryDraftsSince(db: Database, params: { userId: string; since: Date }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(storyDrafts)
    .where(and(eq(storyDrafts.ownerUserId, params.userId), gte(storyDrafts.createdAt, params.since)));
  return row?.n ?? 0;
}

export async function insertStoryDraft(
  db: Database,
  params: { userId: string; companionId: string; prompt: string | null; caption: string; slides: StoryDraftSlide[] },
): Promise<StoryDraftRecord> {
  const [row] = await db
    .insert(storyDrafts)
    .values({ ownerUserId: params.userId, companionId: params.companionId, prompt: params.prompt, caption: params.caption, slides: params.slides })
    .returning(draftColumns);
  if (!row) throw new Error("insert into story_drafts returned no row");
  return row;
}

/** Newest first, keyset (created_at, id) on story_drafts_owner_created_idx. */
export async function listStoryDrafts(
  db: Database,
  params: { userId: string; companionId?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<StoryDraftRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const where: SQL[] = [eq(storyDrafts.ownerUserId, params.userId)];
  if (params.companionId) where.push(eq(storyDrafts.companionId, params.companionId));
  if (after) {
    const older = or(lt(storyDrafts.createdAt, after.createdAt), and(eq(storyDrafts.createdAt, after.createdAt), lt(storyDrafts.id, after.id)));
    if (older) where.push(older);
  }
  const rows = await db
    .select(draftColumns)
    .from(storyDrafts)
    .where(and(...where))
    .orderBy(desc(storyDrafts.createdAt), desc(storyDrafts.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.createdAt, id: last.id }));
}

/** The draft, locked for this transaction (approve and discard take it); NOT_FOUND when not the caller's. */
export async function lockStoryDraft(db: Database, params: { userId: string; draftId: string }): Promise<StoryDraftRecord> {
  const [row] = await db
    .select(draftColumns)
    .from(storyDrafts)
    .where(and(eq(storyDrafts.id, params.draftId), eq(storyDrafts.ownerUserId, params.userId)))
    .for("update");
  if (!row) throw new DomainError("NOT_FOUND", "Draft not found");
  return row;
}

/** A draft still in `draft` status, or CONFLICT naming what became of it. */
export function assertDraftOpen(draft: StoryDraftRecord): void {
  if (draft.status !== "draft") throw new DomainError("CONFLICT", `Draft already ${draft.status}`, { status: draft.status });
}

export async function updateStoryDraftStatus(
  db: Database,
  params: { userId: string; draftId: string; status: "published" | "discarded"; storyId?: string; caption?: string },
): Promise<StoryDraftRecord> {
  const [row] = await db
    .update(storyDrafts)
    .set({ status: params.status, updatedAt: new Date(), ...(params.storyId ? { storyId: params.storyId } : {}), ...(params.caption ? { caption: params.caption } : {}) })
    .where(and(eq(storyDrafts.id, params.draftId), eq(storyDrafts.ownerUserId, params.userId)))
    .returning(draftColumns);
  if (!row) throw new DomainError("NOT_FOUND", "Draft not found");
  return row;
}
