/**
 * Set-based seeding for the benchmark: every table is filled by one INSERT ... SELECT over
 * generate_series, so a million messages cost one statement, not a million round trips.
 *
 * Ids are derived from row numbers (`benchId('u', n)`: md5 shaped as a version-4 UUID), so
 * relations are written without joins or lookups and the rows are spread over the key
 * space as random UUIDs would be. User 1 is the bench user: connected to 10 companions like
 * everyone else, with a feed and one conversation deep enough for the deep page.
 */
import type { RawDriver } from "./backends.ts";

export interface Volumes {
  users: number;
  companions: number;
  connectionsPerUser: number;
  stories: number;
  /** Of `stories`: extra ones by the bench user's companions, so its feed reaches the deep page. */
  benchExtraStories: number;
  messages: number;
  /** Of `messages`: the bench user's conversation with its first companion. */
  benchConversation: number;
  memories: number;
  storyViews: number;
  storyReactions: number;
}

/**
 * Full: the issue's volumes. Small (CI): each divided by 100, except the catalog of 50
 * companions (each user still follows 10), and with the bench user's slice kept deep
 * enough for `rowsNeeded` (the deep page plus one more page).
 */
export function volumesFor(scale: "full" | "small", rowsNeeded: number): Volumes {
  const f = scale === "full" ? 1 : 0.01;
  const companions = 50;
  const connectionsPerUser = 10;
  const stories = 100_000 * f;
  // The bench user sees stories of 10 of 50 companions: a fifth of them.
  const visible = (stories * connectionsPerUser) / companions;
  const benchExtraStories = Math.max(0, Math.ceil(rowsNeeded * 1.1 - visible));
  const messages = 1_000_000 * f;
  return {
    users: 10_000 * f,
    companions,
    connectionsPerUser,
    stories: stories + benchExtraStories,
    benchExtraStories,
    messages,
    benchConversation: Math.max(20_000 * f, Math.ceil(rowsNeeded * 1.1)),
    memories: 100_000 * f,
    storyViews: 200_000 * f,
    storyReactions: 100_000 * f,
  };
}

/** `md5(prefix || n)` with the version and variant nibbles of a v4 UUID (the API validates ids as RFC 9562). */
const benchId = (prefix: string, n: string) => `overlay(overlay(md5('${prefix}' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`;

// Companion k (0-based) of user u, for k < connectionsPerUser: distinct because the step
// (5) times the count (10) is the catalog size (50).
const companionOfUser = (u: string, k: string) => `1 + ((${u} + 5 * ${k}) % 50)`;

export interface SeededIds {
  benchUserId: string;
  benchEmail: string;
  /** The companion of the bench user's deep conversation. */
  benchCompanionId: string;
}

export const BENCH_PASSWORD = "bench-password-1";

/**
 * Fills an empty, migrated database. `passwordHash` is one argon2id hash shared by every
 * user (hashing 10k passwords would take minutes and measure nothing). Runs as the
 * connection's own role (RLS does not apply to it); foreign keys are checked as usual.
 */
export async function seed(db: RawDriver, v: Volumes, passwordHash: string, log: (line: string) => void): Promise<SeededIds> {
  if (v.companions !== 50 || v.connectionsPerUser !== 10) throw new Error("the connection layout assumes 50 companions and 10 per user");
  const step = async (what: string, text: string, params: unknown[] = []) => {
    const started = performance.now();
    await db.query(text, params);
    log(`  ${what.padEnd(22)} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`);
  };
  const regular = v.stories - v.benchExtraStories;
  const others = v.messages - v.benchConversation;

  await step("users", `insert into users (id, email, password_hash, display_name, created_at)
    select ${benchId("u", "g")}, 'bench' || g || '@bench.example.com', $1, 'Bench user ' || g, now() - interval '90 days' + g * interval '1 second'
    from generate_series(1, ${v.users}) g`, [passwordHash]);
  await step("companions", `insert into companions (id, slug, name, tagline, avatar_url, traits)
    select ${benchId("c", "n")}, 'bench-companion-' || n, 'Companion ' || n, 'Always up for a chat', '/media/avatars/bench-' || n || '.svg', array['curious', 'kind']
    from generate_series(1, ${v.companions}) n`);
  await step("relationship_states", `insert into relationship_states (user_id, companion_id, affection, trust, energy, interaction_count, last_interaction_at)
    select ${benchId("u", "u")}, ${benchId("c", companionOfUser("u", "k"))}, 40 + (u + k) % 40, 35 + (u * k) % 50, 50 + k, (u + k) % 90, now() - ((u + k) % 30) * interval '1 day'
    from generate_series(1, ${v.users}) u cross join generate_series(0, ${v.connectionsPerUser - 1}) k`);
  // Live stories over the last 23 hours, newest first by g. Every 7th shares its created_at
  // with its neighbours: ties the (created_at, id) keyset breaks by id.
  await step("stories", `insert into stories (id, author_companion_id, caption, created_at, expires_at)
    select ${benchId("s", "g")}, ${benchId("c", "a")}, 'Story ' || g, t, t + interval '24 hours'
    from (
      select g, 1 + (g % ${v.companions}) as a, now() - (g - g % 7) * (interval '23 hours' / ${regular}) as t from generate_series(1, ${regular}) g
      union all
      -- the bench user's companions are 2, 7, ..., 47 (companionOfUser(1, k))
      select g, 2 + 5 * (g % 10), now() - (g - ${regular}) * (interval '23 hours' / ${Math.max(1, v.benchExtraStories)}) - interval '1 millisecond'
      from generate_series(${regular + 1}, ${v.stories}) g
    ) s`);
  await step("story_media", `insert into story_media (story_id, sort_order, kind, media_key, width, height, created_at)
    select ${benchId("s", "g")}, o, 'image', 'bench/' || (g % 100) || '/' || o || '.svg', 1080, 1920, now()
    from generate_series(1, ${v.stories}) g cross join generate_series(0, 2) o`);

  // The bench conversation: user 1 with companion 2, newest first by g, over 30 days.
  await step("messages (bench)", `insert into messages (user_id, companion_id, role, content, created_at)
    select ${benchId("u", "1")}, ${benchId("c", "2")}, case when g % 2 = 0 then 'user' else 'assistant' end,
      'Bench conversation message ' || g || ': how was your day, and what are you reading at the moment?',
      now() - (g - g % 5) * (interval '30 days' / ${v.benchConversation})
    from generate_series(1, ${v.benchConversation}) g`);
  // Everyone else: message g goes to user u = 2 + g % (users - 1) and one of u's companions.
  await step("messages (others)", `insert into messages (user_id, companion_id, role, content, created_at)
    select ${benchId("u", "u")}, ${benchId("c", companionOfUser("u", "k"))}, case when g % 2 = 0 then 'user' else 'assistant' end,
      'Message ' || g || ': a few ordinary sentences about the day, long enough to look like chat.',
      now() - g * (interval '30 days' / ${others})
    from (select g, 2 + g % ${v.users - 1} as u, (g / ${v.users - 1}) % ${v.connectionsPerUser} as k from generate_series(1, ${others}) g) m`);
  // About one message in ten saved as a memory (so isMemorized is true now and then), up to the volume.
  await step("memories", `insert into memories (user_id, companion_id, message_id, title, content, pinned, created_at)
    select user_id, companion_id, id, 'Remember this', content, get_byte(uuid_send(id), 14) < 8, created_at
    from messages where get_byte(uuid_send(id), 15) < 26
      -- search.rare must find exactly one item (bench/variants.ts); a memory of that message would be a second
      and content not like 'Bench conversation message 1111:%'
    limit ${v.memories}`);
  // Views and reactions: the bench user's on every 3rd / 5th of its stories, the rest spread over users.
  await step("story_views", `insert into story_views (story_id, viewer_id, viewed_at)
    select ${benchId("s", `1 + (i * 104729) % ${v.stories}`)}, ${benchId("u", `2 + (i * 7919) % ${v.users - 1}`)}, now()
    from generate_series(1::bigint, ${v.storyViews}) i
    union all
    select id, ${benchId("u", "1")}, now() from stories where author_companion_id in (select ${benchId("c", "2 + 5 * k")} from generate_series(0, 9) k) and get_byte(uuid_send(id), 15) % 3 = 0
    on conflict do nothing`);
  await step("story_reactions", `insert into story_reactions (user_id, media_id, story_id, emoji)
    select u, m.id, m.story_id, (array['❤️', '🔥', '😂', '😮'])[1 + get_byte(uuid_send(m.id), 15) % 4]
    from (select ${benchId("u", `2 + (i * 7919) % ${v.users - 1}`)} as u, ${benchId("s", `1 + (i * 104729) % ${v.stories}`)} as s
          from generate_series(1::bigint, ${v.storyReactions}) i) r
    join story_media m on m.story_id = r.s and m.sort_order = 0
    union all
    select ${benchId("u", "1")}, m.id, m.story_id, '❤️' from story_media m join stories s on s.id = m.story_id
    where s.author_companion_id in (select ${benchId("c", "2 + 5 * k")} from generate_series(0, 9) k) and get_byte(uuid_send(s.id), 15) % 5 = 0 and m.sort_order = 1
    on conflict do nothing`);
  // Fresh statistics and visibility maps, as a production table would have after autovacuum.
  await step("vacuum analyze", "vacuum analyze");

  const [ids] = await db.query(`select ${benchId("u", "1")}::text, ${benchId("c", "2")}::text`);
  const [benchUserId, benchCompanionId] = ids ?? [];
  if (typeof benchUserId !== "string" || typeof benchCompanionId !== "string") throw new Error("no bench user");
  return { benchUserId, benchEmail: "bench1@bench.example.com", benchCompanionId };
}
