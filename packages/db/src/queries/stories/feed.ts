import { and, eq, sql, type SQL } from "drizzle-orm";
import { notFound } from "../../errors.ts";
import { decodeFeedCursor, encodeFeedCursor, toPage, type Page } from "../../pagination.ts";
import { prepareOnce, type Slot } from "../../prepared.ts";
import { isoText } from "../../raw-sql.ts";
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

/** A head row, in the select-list order of `withAuthors`. */
type HeadRow = [
  id: string,
  caption: string | null,
  visibility: StoryVisibility,
  createdAt: string,
  expiresAt: string,
  seen: boolean,
  authorCompanionId: string | null,
  authorUserId: string | null,
  authorName: string | null,
  authorAvatarUrl: string | null,
];

const headOf = (row: unknown[]): StoryHead => {
  const [id, caption, visibility, createdAt, expiresAt, seen, authorCompanionId, authorUserId, authorName, authorAvatarUrl] = row as HeadRow;
  return {
    id,
    caption,
    visibility,
    createdAt: new Date(createdAt),
    expiresAt: new Date(expiresAt),
    seen,
    author: {
      kind: authorCompanionId ? "companion" : "user",
      id: authorCompanionId ?? authorUserId ?? "",
      // Visibility requires a visible companion or an existing user, so both are there.
      name: authorName ?? "",
      avatarUrl: authorAvatarUrl,
    },
  };
};

/** The columns every head branch selects from `stories`, plus its `seen`. */
const headColumns = (seen: SQL) => sql`${stories.id} as id, ${stories.caption} as caption, ${stories.visibility} as visibility,
  ${stories.createdAt} as created_at, ${stories.expiresAt} as expires_at,
  ${stories.authorCompanionId} as author_companion_id, ${stories.authorUserId} as author_user_id, ${seen} as seen`;

const newestFirst = sql`order by ${stories.createdAt} desc, ${stories.id} desc`;

/** A feed page's values; the cursor's only in the statements after a cursor. `take` is `limit + 1`. */
interface HeadValues extends Record<string, unknown> {
  userId: string;
  limit: number;
  take: number;
  afterCreatedAt: Date | null;
  afterId: string | null;
}

// A row comparison, so the bound becomes an index condition rather than a filter.
const before = (slot: Slot<HeadValues>) =>
  sql`and (${stories.createdAt}, ${stories.id}) < (${sql.param(slot("afterCreatedAt"), stories.createdAt)}::timestamptz, ${slot("afterId")}::uuid)`;

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
 * `after`: which run the cursor is in, null on page 1; one statement each, built once.
 */
function feedHeadsQuery(slot: Slot<HeadValues>, after: "unseen" | "seen" | null): SQL {
  const userId = slot("userId");
  const seenRun = (gate: SQL) => sql`select ${headColumns(sql`true`)}
    from ${storyViews} join ${stories} on ${stories.id} = ${storyViews.storyId}
    where ${storyViews.viewerId} = ${userId} and ${storyInFeedOf(userId)} ${gate}
      ${after === "seen" ? sql`and (${storyViews.storyCreatedAt}, ${storyViews.storyId}) < (${sql.param(slot("afterCreatedAt"), storyViews.storyCreatedAt)}::timestamptz, ${slot("afterId")}::uuid)` : sql``}
    order by ${storyViews.storyCreatedAt} desc, ${storyViews.storyId} desc limit ${slot("take")}`;
  if (after === "seen") return withAuthors(sql`feed_heads as (${seenRun(sql``)})`);
  return withAuthors(sql`feed_unseen as (
      select ${headColumns(sql`false`)} from ${stories}
      where ${storyInFeedOf(userId)}
        and not exists (select 1 from ${storyViews} where ${storyViews.storyId} = ${stories.id} and ${storyViews.viewerId} = ${userId})
        ${after === "unseen" ? before(slot) : sql``}
      ${newestFirst} limit ${slot("take")}
    ), feed_seen as (${seenRun(sql`and (select count(*) from feed_unseen) <= ${slot("limit")}`)}),
    feed_heads as (select * from feed_unseen union all select * from feed_seen)`);
}

const feedHeads = {
  first: prepareOnce<HeadValues, StoryHead>("story_feed_heads", (_db, slot) => feedHeadsQuery(slot, null), headOf),
  unseen: prepareOnce<HeadValues, StoryHead>("story_feed_heads_unseen", (_db, slot) => feedHeadsQuery(slot, "unseen"), headOf),
  seen: prepareOnce<HeadValues, StoryHead>("story_feed_heads_seen", (_db, slot) => feedHeadsQuery(slot, "seen"), headOf),
};

const storyHead = prepareOnce<{ userId: string; storyId: string }, StoryHead>(
  "story_by_id",
  (_db, slot) => {
    const seen = sql`exists (select 1 from ${storyViews} where ${storyViews.storyId} = ${stories.id} and ${storyViews.viewerId} = ${slot("userId")})`;
    return withAuthors(sql`feed_heads as (select ${headColumns(seen)} from ${stories} where ${stories.id} = ${slot("storyId")} and ${storyVisibleTo(slot("userId"))})`);
  },
  headOf,
);

/** Unseen first, then newest first, then id: the feed's order (uuid order is lowercase-hex order). */
const feedOrder = (a: StoryHead, b: StoryHead) =>
  Number(a.seen) - Number(b.seen) || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

type SlideRow = [
  id: string,
  storyId: string,
  sortOrder: number,
  kind: "image" | "video",
  mediaKey: string,
  width: number | null,
  height: number | null,
  durationMs: number | null,
  myReaction: string | null,
];

const slidesOf = prepareOnce<{ userId: string; ids: string[] }, StorySlideRecord>(
  "story_feed_slides",
  (db, slot) =>
    db
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
      .leftJoin(storyReactions, and(eq(storyReactions.mediaId, storyMedia.id), eq(storyReactions.userId, slot("userId"))))
      .where(sql`${storyMedia.storyId} = any(${sql.param(slot("ids"))}::uuid[])`),
  (row) => {
    const [id, storyId, sortOrder, kind, mediaKey, width, height, durationMs, myReaction] = row as SlideRow;
    return { id, storyId, sortOrder, kind, mediaKey, width, height, durationMs, myReaction };
  },
);

/**
 * Query 2 of 2: every slide of these stories with the viewer's reaction, in one batch
 * (`= any($1::uuid[])`, never a query per story), grouped here. Sorting the few slides in
 * memory keeps the plan a plain index scan on story_media_story_order_key.
 */
async function attachSlides(db: Database, userId: string, heads: StoryHead[]): Promise<StoryRecord[]> {
  if (heads.length === 0) return [];
  const ids = heads.map((h) => h.id);
  const rows = await slidesOf(db, { userId, ids });
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
  const heads = after === null ? feedHeads.first : after.seen ? feedHeads.seen : feedHeads.unseen;
  const values = { userId: params.userId, limit: params.limit, take: params.limit + 1, afterCreatedAt: after?.createdAt ?? null, afterId: after?.id ?? null };
  const rows = (await heads(db, values)).sort(feedOrder);
  const page = toPage(rows, params.limit, encodeFeedCursor);
  return { items: await attachSlides(db, params.userId, page.items), nextCursor: page.nextCursor };
}

/** One story in the feed's shape; NOT_FOUND when the user may not see it. */
export async function getStory(db: Database, params: { userId: string; storyId: string }): Promise<StoryRecord> {
  const [story] = await attachSlides(db, params.userId, await storyHead(db, params));
  if (!story) throw notFound("Story");
  return story;
}
