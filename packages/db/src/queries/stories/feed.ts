import { and, eq, sql, type SQL } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { decodeFeedCursor, encodeFeedCursor, toPage, type FeedKeysetPosition, type Page } from "../../pagination.ts";
import { executePrepared, isoText, rowsOf } from "../../raw-sql.ts";
import { companions, stories, storyMedia, storyReactions, storyViews, type storyVisibility } from "../../schema/index.ts";
import type { Database } from "../../types.ts";
import { storyInFeedOf, storyVisibleTo } from "./visibility.ts";

export type StoryVisibility = (typeof storyVisibility)[number];

interface StorySlideRecord {
  id: string;
  storyId: string;
  sortOrder: number;
  kind: "image" | "video";
  /** Storage key; the API turns it into a URL (`/media/<key>`). */
  mediaKey: string;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /** The viewer's emoji on this slide, or null. */
  myReaction: string | null;
}

/** A story's author: a companion, or a user's public profile (never their email). */
interface StoryAuthorRecord {
  kind: "companion" | "user";
  id: string;
  name: string;
  avatarUrl: string | null;
}

export interface StoryRecord {
  id: string;
  caption: string | null;
  visibility: StoryVisibility;
  createdAt: Date;
  expiresAt: Date;
  /** The viewer has a row in story_views. */
  seen: boolean;
  author: StoryAuthorRecord;
  slides: StorySlideRecord[];
}

type StoryHead = Omit<StoryRecord, "slides">;

interface RawHead {
  id: string;
  caption: string | null;
  visibility: StoryVisibility;
  createdAt: string;
  expiresAt: string;
  seen: boolean;
  authorCompanionId: string | null;
  authorUserId: string | null;
  authorName: string | null;
  authorAvatarUrl: string | null;
}

/** The columns every head branch selects from `stories`, plus its `seen`. */
const headColumns = (seen: SQL) => sql`${stories.id} as id, ${stories.caption} as caption, ${stories.visibility} as visibility,
  ${stories.createdAt} as created_at, ${stories.expiresAt} as expires_at,
  ${stories.authorCompanionId} as author_companion_id, ${stories.authorUserId} as author_user_id, ${seen} as seen`;

const newestFirst = sql`order by ${stories.createdAt} desc, ${stories.id} desc`;

// A row comparison, so the bound becomes an index condition rather than a filter.
const before = (pos: FeedKeysetPosition) =>
  sql`and (${stories.createdAt}, ${stories.id}) < (${sql.param(pos.createdAt, stories.createdAt)}::timestamptz, ${pos.id}::uuid)`;

/**
 * Joins each of `feed_heads` (at most a page + 1 rows) to its author: the companion, or the user's
 * public profile through `user_public_profile` (RLS hides other users' rows from request code).
 */
function withAuthors(ctes: SQL): SQL {
  return sql`with ${ctes}
    select h.id, h.caption, h.visibility, ${isoText("h.created_at")} as "createdAt", ${isoText("h.expires_at")} as "expiresAt", h.seen,
      h.author_companion_id as "authorCompanionId", h.author_user_id as "authorUserId",
      coalesce(${companions.name}, p.display_name) as "authorName", coalesce(${companions.avatarUrl}, p.avatar_url) as "authorAvatarUrl"
    from feed_heads h
    left join ${companions} on ${companions.id} = h.author_companion_id
    left join lateral user_public_profile(h.author_user_id) p on true`;
}

/**
 * Query 1 of 2: the page's heads, unseen first, then newest: two ordered index scans of a page + 1
 * rows, the seen one only when the unseen one fell short (docs/query-plans.md). The caller sorts.
 */
function feedHeadsQuery(userId: string, after: FeedKeysetPosition | null, limit: number): SQL {
  const seenRun = (gate: SQL) => sql`select ${headColumns(sql`true`)}
    from ${storyViews} join ${stories} on ${stories.id} = ${storyViews.storyId}
    where ${storyViews.viewerId} = ${userId} and ${storyInFeedOf(userId)} ${gate}
      ${after?.seen ? sql`and (${storyViews.storyCreatedAt}, ${storyViews.storyId}) < (${sql.param(after.createdAt, storyViews.storyCreatedAt)}::timestamptz, ${after.id}::uuid)` : sql``}
    order by ${storyViews.storyCreatedAt} desc, ${storyViews.storyId} desc limit ${limit + 1}`;
  if (after?.seen) return withAuthors(sql`feed_heads as (${seenRun(sql``)})`);
  return withAuthors(sql`feed_unseen as (
      select ${headColumns(sql`false`)} from ${stories}
      where ${storyInFeedOf(userId)}
        and not exists (select 1 from ${storyViews} where ${storyViews.storyId} = ${stories.id} and ${storyViews.viewerId} = ${userId})
        ${after ? before(after) : sql``}
      ${newestFirst} limit ${limit + 1}
    ), feed_seen as (${seenRun(sql`and (select count(*) from feed_unseen) <= ${limit}`)}),
    feed_heads as (select * from feed_unseen union all select * from feed_seen)`);
}

async function selectHeads(db: Database, query: SQL): Promise<StoryHead[]> {
  return (rowsOf(await executePrepared(db, "story_feed_heads", query)) as RawHead[]).map((r) => ({
    id: r.id,
    caption: r.caption,
    visibility: r.visibility,
    createdAt: new Date(r.createdAt),
    expiresAt: new Date(r.expiresAt),
    seen: r.seen,
    author: {
      kind: r.authorCompanionId ? "companion" : "user",
      id: r.authorCompanionId ?? r.authorUserId ?? "",
      // Visibility requires a visible companion or an existing user, so both are there.
      name: r.authorName ?? "",
      avatarUrl: r.authorAvatarUrl,
    },
  }));
}

/** Unseen first, then newest first, then id: the feed's order (uuid order is lowercase-hex order). */
const feedOrder = (a: StoryHead, b: StoryHead) =>
  Number(a.seen) - Number(b.seen) || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Query 2 of 2: every slide of these stories with the viewer's reaction, in one batch
 * (`= any($1::uuid[])`, never a query per story), grouped here. Sorting the few slides in
 * memory keeps the plan a plain index scan on story_media_story_order_key.
 */
async function attachSlides(db: Database, userId: string, heads: StoryHead[]): Promise<StoryRecord[]> {
  if (heads.length === 0) return [];
  const ids = heads.map((h) => h.id);
  const rows = await db
    .select({
      id: storyMedia.id,
      storyId: storyMedia.storyId,
      sortOrder: storyMedia.sortOrder,
      kind: storyMedia.kind,
      mediaKey: storyMedia.mediaKey,
      width: storyMedia.width,
      height: storyMedia.height,
      durationMs: storyMedia.durationMs,
      myReaction: storyReactions.emoji,
    })
    .from(storyMedia)
    .leftJoin(storyReactions, and(eq(storyReactions.mediaId, storyMedia.id), eq(storyReactions.userId, userId)))
    .where(sql`${storyMedia.storyId} = any(${sql.param(ids)}::uuid[])`)
    .prepare("story_feed_slides")
    .execute();
  const byStory = new Map<string, StorySlideRecord[]>(ids.map((id) => [id, []]));
  for (const row of rows) byStory.get(row.storyId)?.push(row);
  return heads.map((h) => ({ ...h, slides: (byStory.get(h.id) ?? []).sort((a, b) => a.sortOrder - b.sortOrder) }));
}

/**
 * My feed (docs/social.md), keyset-paged on (seen, created_at, id) in two queries per page. A story
 * I view while paging moves to the seen run, so a client may meet it twice; dedupe by id.
 */
export async function listStoryFeed(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number },
): Promise<Page<StoryRecord>> {
  const after = params.cursor ? decodeFeedCursor(params.cursor) : null;
  const rows = (await selectHeads(db, feedHeadsQuery(params.userId, after, params.limit))).sort(feedOrder);
  const heads = toPage(rows, params.limit, encodeFeedCursor);
  return { items: await attachSlides(db, params.userId, heads.items), nextCursor: heads.nextCursor };
}

/** One story in the feed's shape; NOT_FOUND when the user may not see it. */
export async function getStory(db: Database, params: { userId: string; storyId: string }): Promise<StoryRecord> {
  const seen = sql`exists (select 1 from ${storyViews} where ${storyViews.storyId} = ${stories.id} and ${storyViews.viewerId} = ${params.userId})`;
  const heads = await selectHeads(
    db,
    withAuthors(sql`feed_heads as (select ${headColumns(seen)} from ${stories} where ${stories.id} = ${params.storyId} and ${storyVisibleTo(params.userId)})`),
  );
  const [story] = await attachSlides(db, params.userId, heads);
  if (!story) throw notFound("Story");
  return story;
}
