/**
 * What the companion story schedule reads (docs/stories.md): the system companions that post,
 * a companion's persona and mood for writing a story, and how many it posted in a local day.
 * Service code only (jobs): request code reaches an owned companion through drafts.ts.
 */
import { and, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { companionPersonas, companions, relationshipStates, stories, storyMedia, type CompanionVisibility } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

export interface StoryPostingCompanion {
  id: string;
  timeZone: string;
  traits: string[];
}

/** System companions (no owner) that are public: the ones that post on the schedule. */
export async function listSystemCompanionsForStories(db: Database): Promise<StoryPostingCompanion[]> {
  return db
    .select({ id: companions.id, timeZone: companions.timeZone, traits: companions.traits })
    .from(companions)
    .where(and(isNull(companions.ownerUserId), eq(companions.visibility, "public")))
    .orderBy(companions.id);
}

export interface CompanionStoryContext {
  id: string;
  name: string;
  ownerUserId: string | null;
  visibility: CompanionVisibility;
  timeZone: string;
  traits: string[];
  systemPrompt: string;
  speakingStyle: string;
  /** The most frequent mood across its relationships ("neutral" without any). */
  mood: string;
}

/**
 * A companion with what a story is written from; null when it does not exist (or, in a user
 * scope, is not visible). The mood is the most common one among its relationships that RLS
 * lets `db` see: all of them for the jobs, the owner's own in a draft request.
 */
export async function getCompanionStoryContext(db: Database, params: { companionId: string }): Promise<CompanionStoryContext | null> {
  const [row] = await db
    .select({
      id: companions.id,
      name: companions.name,
      ownerUserId: companions.ownerUserId,
      visibility: companions.visibility,
      timeZone: companions.timeZone,
      traits: companions.traits,
      systemPrompt: sql<string>`coalesce(${companionPersonas.systemPrompt}, '')`,
      speakingStyle: sql<string>`coalesce(${companionPersonas.speakingStyle}, '')`,
    })
    .from(companions)
    .leftJoin(companionPersonas, eq(companionPersonas.companionId, companions.id))
    .where(eq(companions.id, params.companionId));
  if (!row) return null;
  const [mood] = await db
    .select({ mood: relationshipStates.mood })
    .from(relationshipStates)
    .where(eq(relationshipStates.companionId, params.companionId))
    .groupBy(relationshipStates.mood)
    .orderBy(desc(count()), relationshipStates.mood)
    .limit(1);
  return { ...row, mood: mood?.mood ?? "neutral" };
}

// Any constant; the second key is the companion, so companions never wait on each other.
const COMPANION_STORY_LOCK = 727_274_003;

/** Serializes posting for one companion until the transaction ends (every worker takes it before counting). */
export async function lockCompanionStoryPosting(tx: Database, params: { companionId: string }): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${COMPANION_STORY_LOCK}, hashtext(${params.companionId}))`);
}

export interface CompanionPostingState {
  /** Stories created in [dayStart, dayEnd), deleted or expired ones included. */
  postedInDay: number;
  /** A story live at `at` (not deleted, not expired, created by then). */
  hasLive: boolean;
  /** Any story at all, ever (a companion that never posted may post outside its hours once). */
  hasAny: boolean;
  /** When its newest story was created (epoch ms), null if none. */
  lastPostedMs: number | null;
}

/** One scan of the companion's stories (stories_companion_created_idx): at most about a day of them, expiry deletes the rest. */
export async function getCompanionPostingState(
  db: Database,
  params: { companionId: string; dayStart: Date; dayEnd: Date; at: Date },
): Promise<CompanionPostingState> {
  // As ISO text with a cast: postgres.js does not serialize a Date bound inside raw SQL.
  const dayStart = sql`${params.dayStart.toISOString()}::timestamptz`;
  const dayEnd = sql`${params.dayEnd.toISOString()}::timestamptz`;
  const at = sql`${params.at.toISOString()}::timestamptz`;
  const [row] = await db
    .select({
      postedInDay: sql<number>`count(*) filter (where ${stories.createdAt} >= ${dayStart} and ${stories.createdAt} < ${dayEnd})`.mapWith(Number),
      hasLive: sql<boolean>`coalesce(bool_or(${stories.deletedAt} is null and ${stories.expiresAt} > ${at} and ${stories.createdAt} <= ${at}), false)`,
      hasAny: sql<boolean>`count(*) > 0`,
      lastPostedMs: sql<number | null>`(extract(epoch from max(${stories.createdAt})) * 1000)::float8`,
    })
    .from(stories)
    .where(eq(stories.authorCompanionId, params.companionId));
  const last = row?.lastPostedMs;
  return { postedInDay: row?.postedInDay ?? 0, hasLive: row?.hasLive ?? false, hasAny: row?.hasAny ?? false, lastPostedMs: last === null || last === undefined ? null : Number(last) };
}

/**
 * For the media purge: of `keys`, those no live story (not deleted, not expired) uses. Companion
 * cards have no media_uploads row, so the story rows are the only record of who uses them.
 */
export async function filterUnusedStoryMediaKeys(db: Database, params: { keys: readonly string[]; now?: Date }): Promise<string[]> {
  if (params.keys.length === 0) return [];
  const now = params.now ?? new Date();
  const used = await db
    .selectDistinct({ key: storyMedia.mediaKey })
    .from(storyMedia)
    .innerJoin(stories, eq(stories.id, storyMedia.storyId))
    .where(and(inArray(storyMedia.mediaKey, [...params.keys]), isNull(stories.deletedAt), gt(stories.expiresAt, now)));
  const usedKeys = new Set(used.map((r) => r.key));
  return [...new Set(params.keys)].filter((k) => !usedKeys.has(k));
}
