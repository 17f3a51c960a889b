/**
 * EXPLAIN ANALYZE of the two stories.feed queries on a realistic volume: 50 companions,
 * 1,000 users each connected to 10 of them, 100k companion stories and 20k user stories
 * (public, friends, private) with 3 slides each (some sharing a created_at); the viewer
 * follows 50 users (25 of them mutually) and has seen the newest 2,000 stories. The
 * statements explained are the ones listStoryFeed really sends (captured by a drizzle
 * logger), run under the viewer's scope (role companion_app, RLS on), once as custom plans
 * and once as generic plans (what a prepared statement uses after five executions), at:
 * page 1, a deep page in the unseen run, the page where the unseen run ends and the seen run
 * starts, and a page inside the seen run.
 *
 *   npx tsx packages/db/bench/explain-story-feed.ts                       # PGlite in memory
 *   npx tsx packages/db/bench/explain-story-feed.ts postgres://postgres@127.0.0.1:5432/some_empty_db
 *
 * The output is what docs/query-plans.md shows.
 */
import { asc, desc, sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { openDatabase } from "../src/client.ts";
import { encodeFeedCursor } from "../src/pagination.ts";
import { listStoryFeed } from "../src/queries/stories/feed.ts";
import { storyInFeedOf } from "../src/queries/stories/visibility.ts";
import { stories, storyViews } from "../src/schema/index.ts";
import { APP_ROLE, withUser } from "../src/transaction.ts";

const STORIES = 100_000;
const USER_STORIES = 20_000;
const COMPANIONS = 50;
const CONNECTED = 10;
const LIMIT = 20;
const DEEP_PAGE = 500;

const captured: { query: string; params: unknown[] }[] = [];
const logger: Logger = { logQuery: (query, params) => captured.push({ query, params }) };

const url = process.argv[2];
const handle = await openDatabase(url ? { kind: "postgres", url, logger, poolSize: 1 } : { kind: "pglite", logger });
await handle.migrate();
const { db } = handle;

console.log(`seeding ${STORIES} stories on ${handle.kind}...`);
await db.execute(sql`truncate users, companions, stories cascade`);
await db.execute(sql`insert into users (email, password_hash, display_name)
  select 'bench' || g || '@example.com', 'x', 'Bench ' || g from generate_series(1, 1000) g`);
await db.execute(sql`insert into companions (slug, name, avatar_url)
  select 'c' || g, 'Companion ' || g, '/media/avatars/c' || g || '.svg' from generate_series(1, ${COMPANIONS}) g`);
// Every 7th story shares its created_at with the next one: ties the keyset must break by id.
await db.execute(sql`insert into stories (author_companion_id, caption, created_at, expires_at)
  select c.id, 'story ' || g, t, t + interval '24 hours'
  from generate_series(1, ${STORIES}) g
  join lateral (select now() - ((g - g % 7) * interval '800 milliseconds') as t) ts on true
  join (select id, row_number() over (order by slug) as n from companions) c on c.n = 1 + g % ${COMPANIONS}`);
await db.execute(sql`insert into story_media (story_id, sort_order, kind, media_key, width, height)
  select s.id, o, 'image', 'demo/x/' || o || '.svg', 1080, 1920 from stories s cross join generate_series(0, 2) o`);
const [viewer] = rowsOf<{ id: string }>(await db.execute(sql`select id from users order by email limit 1`));
if (!viewer) throw new Error("no viewer");
await db.execute(sql`insert into relationship_states (user_id, companion_id)
  select ${viewer.id}, id from companions order by slug limit ${CONNECTED}`);
// Everyone else is connected to 10 companions too, so relationship_states is not just the viewer's.
await db.execute(sql`insert into relationship_states (user_id, companion_id)
  select u.id, c.id from users u join (select id, row_number() over (order by slug) as n from companions) c
    on (c.n + abs(hashtext(u.id::text))) % 5 = 0
  where u.id <> ${viewer.id}`);
// User stories over the same 23 hours by 1,000 users: half public, a quarter each friends and
// private (audience: the author's next two users). The viewer follows 50 of the authors and
// 25 of those follow back, so it sees all their public stories and the mutuals' friends ones.
await db.execute(sql`insert into stories (author_user_id, caption, visibility, created_at, expires_at)
  select u.id, 'user story ' || g, (array['public', 'public', 'friends', 'private'])[1 + g % 4], t, t + interval '24 hours'
  from generate_series(1, ${USER_STORIES}) g
  join lateral (select now() - ((g - g % 5) * interval '4 seconds') as t) ts on true
  join (select id, row_number() over (order by email) as n from users) u on u.n = 1 + g % 1000`);
await db.execute(sql`insert into story_media (story_id, sort_order, kind, media_key, width, height)
  select s.id, o, 'image', 'u/x/' || o || '.png', 1080, 1920 from stories s cross join generate_series(0, 2) o where s.author_user_id is not null`);
await db.execute(sql`insert into story_audience (story_id, user_id)
  select s.id, u2.id from stories s
  join (select id, row_number() over (order by email) as n from users) u1 on u1.id = s.author_user_id
  join (select id, row_number() over (order by email) as n from users) u2 on u2.n in (1 + u1.n % 1000, 1 + (u1.n + 1) % 1000)
  where s.visibility = 'private'`);
// Some views and reactions by the viewer and by others, so those lookups are not empty.
await db.execute(sql`insert into story_views (story_id, viewer_id)
  select s.id, u.id from (select id from stories order by created_at desc limit 2000) s
  cross join (select id from users order by email limit 5) u`);
await db.execute(sql`insert into story_reactions (user_id, media_id, story_id, emoji)
  select u.id, m.id, m.story_id, '🔥' from (select id, story_id from story_media order by id limit 5000) m
  cross join (select id from users order by email limit 3) u`);
await db.execute(sql`insert into follows (follower_id, followee_id)
  select ${viewer.id}::uuid, id from users where id <> ${viewer.id}::uuid order by email desc limit 50`);
await db.execute(sql`insert into follows (follower_id, followee_id)
  select followee_id, follower_id from follows where follower_id = ${viewer.id}::uuid order by followee_id limit 25`);
// Others follow each other too, so follows is not just the viewer's.
await db.execute(sql`insert into follows (follower_id, followee_id)
  select a.id, b.id from users a join users b on (abs(hashtext(a.id::text || b.id::text)) % 100) = 0 where a.id <> b.id
  on conflict do nothing`);
await db.execute(sql`analyze`);

// The feed in its order (unseen first, then newest), computed with the feed's own predicate
// as the service role: where page N starts, where the unseen run ends.
const ordered = await db
  .select({ id: stories.id, createdAt: stories.createdAt, seen: sql<boolean>`(${storyViews.id} is not null)` })
  .from(stories)
  .leftJoin(storyViews, sql`${storyViews.storyId} = ${stories.id} and ${storyViews.viewerId} = ${viewer.id}`)
  .where(storyInFeedOf(viewer.id))
  .orderBy(asc(sql`(${storyViews.id} is not null)`), desc(stories.createdAt), desc(stories.id));
const unseenCount = ordered.filter((r) => !r.seen).length;
console.log(`the viewer's feed: ${ordered.length} stories, ${unseenCount} unseen`);
const cursorBefore = (index: number) => {
  const row = ordered[index - 1];
  if (!row) throw new Error(`the feed has no row ${index}`);
  return encodeFeedCursor(row);
};
const pages: [string, string | undefined][] = [
  ["page 1", undefined],
  [`page ${DEEP_PAGE} (unseen run)`, cursorBefore((DEEP_PAGE - 1) * LIMIT)],
  ["the page where the unseen run ends", cursorBefore(unseenCount - 5)],
  ["a page inside the seen run", cursorBefore(unseenCount + 200)],
];

for (const [label, cursor] of pages) {
  captured.length = 0;
  const page = await withUser(db, viewer.id, (tx) => listStoryFeed(tx, { userId: viewer.id, cursor, limit: LIMIT }));
  const dataQueries = captured.filter((q) => !q.query.includes("set_config"));
  console.log(`\n===== ${label}: ${page.items.length} stories, ${page.items.reduce((n, s) => n + s.slides.length, 0)} slides, ${dataQueries.length} data queries`);
  for (const [i, q] of dataQueries.entries()) {
    console.log(`\n--- query ${i + 1}\n${q.query}`);
    for (const mode of ["custom", "generic"] as const) {
      console.log(`\n[${mode} plan]`);
      console.log(await explain(q.query, q.params, mode, viewer.id));
    }
  }
}
await handle.close();

/** EXPLAIN ANALYZE under the viewer's scope, through PREPARE/EXECUTE so the plan mode can be forced. */
async function explain(query: string, params: unknown[], mode: "custom" | "generic", userId: string): Promise<string> {
  const literal = (v: unknown) => (Array.isArray(v) ? `'{${v.join(",")}}'` : `'${String(v).replace(/'/g, "''")}'`);
  const name = `explain_${mode}_${Math.random().toString(36).slice(2, 8)}`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.current_user_id', ${userId}, true), set_config('role', ${APP_ROLE}, true)`);
    await tx.execute(sql.raw(`set local plan_cache_mode = force_${mode}_plan`));
    await tx.execute(sql.raw(`prepare ${name} as ${query}`));
    const explainSql = sql.raw(`explain (analyze, buffers, costs off, timing on, summary on) execute ${name}(${params.map(literal).join(", ")})`);
    // The first run warms caches (and PGlite's WASM code paths); show the second.
    await tx.execute(explainSql);
    const rows = rowsOf<{ "QUERY PLAN": string }>(await tx.execute(explainSql));
    await tx.execute(sql.raw(`deallocate ${name}`));
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
}

/** `execute` answers an array on postgres.js and `{ rows }` on PGlite. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
