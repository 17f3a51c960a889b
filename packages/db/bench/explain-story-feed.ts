/**
 * EXPLAIN ANALYZE of the two stories.feed queries at page 1 and at a deep page, on a
 * realistic volume: 50 companions, 1,000 users each connected to 10 of them, 100k stories
 * with 3 slides each (some sharing a created_at). The statements explained are the ones
 * listStoryFeed really sends (captured by a drizzle logger), run under the viewer's
 * scope (role companion_app, RLS on), once as custom plans and once as generic plans
 * (what a prepared statement uses after five executions).
 *
 *   npx tsx packages/db/bench/explain-story-feed.ts                       # PGlite in memory
 *   npx tsx packages/db/bench/explain-story-feed.ts postgres://postgres@127.0.0.1:5432/some_empty_db
 *
 * The output is what docs/query-plans.md shows.
 */
import { sql } from "drizzle-orm";
import type { Logger } from "drizzle-orm/logger";
import { openDatabase } from "../src/client.ts";
import { encodeFeedCursor } from "../src/queries/keyset.ts";
import { listStoryFeed } from "../src/queries/story-feed.ts";
import { APP_ROLE, withUser } from "../src/user-scope.ts";

const STORIES = 100_000;
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
// Some views and reactions by the viewer and by others, so those lookups are not empty.
await db.execute(sql`insert into story_views (story_id, viewer_id)
  select s.id, u.id from (select id from stories order by created_at desc limit 2000) s
  cross join (select id from users order by email limit 5) u`);
await db.execute(sql`insert into story_reactions (user_id, media_id, story_id, emoji)
  select u.id, m.id, m.story_id, '🔥' from (select id, story_id from story_media order by id limit 5000) m
  cross join (select id from users order by email limit 3) u`);
await db.execute(sql`analyze`);

// Page 1, then jump straight to the cursor DEEP_PAGE pages in (walking 500 pages would only add time),
// in the feed's order: unseen first, then newest.
const [deep] = rowsOf<{ id: string; created_at: string; seen: boolean }>(
  await db.execute(
    sql`select s.id, s.created_at, (v.id is not null) as seen
      from stories s join relationship_states r on r.companion_id = s.author_companion_id and r.user_id = ${viewer.id}
      left join story_views v on v.story_id = s.id and v.viewer_id = ${viewer.id}
      where s.deleted_at is null and s.expires_at > now()
      order by (v.id is not null), s.created_at desc, s.id desc offset ${(DEEP_PAGE - 1) * LIMIT - 1} limit 1`,
  ),
);
if (!deep) throw new Error("not enough stories for the deep page");
const deepCursor = encodeFeedCursor({ seen: deep.seen, createdAt: new Date(deep.created_at), id: deep.id });

for (const [label, cursor] of [["page 1", undefined], [`page ${DEEP_PAGE}`, deepCursor]] as const) {
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
