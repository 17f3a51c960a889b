/**
 * auth.deleteAccount over HTTP (docs/account.md#deletion). A person with rows in every table that
 * names a user, and another person with their own; every table of the public schema (read from
 * pg_catalog, so tables added later are counted too) is counted before the person existed, with
 * them, and after their deletion. Procedures make the rows where they exist; SQL where the
 * procedure is another part of issue 16 (blocks, mutes, reports, quotas, …) or needs the clock.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, streamToEnd } from "./chat-fixtures.ts";
import { failureOf } from "./companion-fixtures.ts";
import { uniqueEmail, type TestServer } from "./harness.ts";
import { postStory, startSocialServer, upload } from "./social-fixtures.ts";

let t: TestServer;
let mediaDir: string;
beforeAll(async () => {
  mediaDir = join(tmpdir(), `companion-deletion-${randomUUID()}`);
  t = await startSocialServer({ MEDIA_DIR: mediaDir });
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

const rows = async <T,>(query: SQL): Promise<T[]> => {
  const result: unknown = await t.database.db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
};

/** Every table of the public schema and its row count. */
async function countTables(): Promise<Record<string, number>> {
  const tables = await rows<{ name: string }>(sql`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await rows<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(name)}`);
    counts[name] = Number(row?.n);
  }
  return counts;
}

/** Every column that names a user: the foreign keys to users, and `user_id` columns without one (session_revocations). */
async function userColumns(): Promise<{ table: string; column: string }[]> {
  return rows(sql`
    select cl.relname as "table", a.attname as "column"
    from pg_constraint co
    join pg_class cl on cl.oid = co.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_attribute a on a.attrelid = co.conrelid and a.attnum = any(co.conkey)
    where co.contype = 'f' and co.confrelid = 'public.users'::regclass and n.nspname = 'public'
    union
    select c.relname, a.attname from pg_attribute a
    join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and a.attname = 'user_id' and not a.attisdropped
    order by 1, 2`);
}

const countOf = async (table: string, column: string, userId: string) =>
  Number((await rows<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${userId}`))[0]?.n);

/**
 * Tables whose total may differ from before the person existed, and why. Everything else must
 * be back to its count exactly.
 */
const KEPT = {
  // The log keeps what happened, without the user (set null), plus the anonymous account_deleted event.
  security_events: "kept anonymised",
  // Cost accounting: the model calls stay, without the user (set null).
  ai_calls: "kept anonymised",
  // A report she filed stays in the moderation queue, without its reporter (set null).
  reports: "kept anonymised",
  // A deleted account's sessions stay refused until their last access token expires (no foreign key).
  session_revocations: "kept until expiry",
  // The other person's realtime outbox (their notifications' events), pruned by retention.
  events: "the other person's",
  // The other person's aggregated reaction notification keeps its count.
  notifications: "the other person's",
} as const;

describe("auth.deleteAccount", () => {
  it("deletes the person and everything of theirs, and only theirs; their files go by job", async () => {
    const companion = await createCompanion(t.database.db);

    // The other person, with their own world.
    const bob = { ...(await signUpWith(t, "Bob")) };
    const bobStory = await postStory(t, bob, { visibility: "public" });
    await bob.api.companions.connect.mutate({ companionId: companion.id });
    await streamToEnd(bob.api, { companionId: companion.id, content: "Hello from Bob", idempotencyKey: newKey() });
    await bob.api.memories.create.mutate({ companionId: companion.id, content: "Bob likes tea" });
    await t.settle();
    const baseline = await countTables();

    // The person who leaves, with rows everywhere.
    const ana = await signUpWith(t, "Ana");
    const anaOwn = await ana.api.companions.create.mutate({ name: "Ana's own", systemPrompt: "private persona" });
    const avatarKey = await upload(t, ana);
    await ana.api.media.completeUpload.mutate({ mediaKey: avatarKey });
    await ana.api.auth.updateProfile.mutate({ avatarKey, language: "pt-BR" });
    const anaStory = await postStory(t, ana, { visibility: "public" });
    for (const companionId of [companion.id, anaOwn.id]) await ana.api.companions.connect.mutate({ companionId });
    await streamToEnd(ana.api, { companionId: companion.id, content: "Hello from Ana", idempotencyKey: newKey() });
    await streamToEnd(ana.api, { companionId: anaOwn.id, content: "Hello, my own", idempotencyKey: newKey() });
    await ana.api.memories.create.mutate({ companionId: companion.id, content: "Ana likes coffee" });
    await ana.api.social.follow.mutate({ userId: bob.id });
    await bob.api.social.follow.mutate({ userId: ana.id });
    const bobSlide = bobStory.slides[0]?.id;
    const anaSlide = anaStory.slides[0]?.id;
    if (!bobSlide || !anaSlide) throw new Error("slides expected");
    await ana.api.stories.react.mutate({ mediaId: bobSlide, emoji: "🔥" });
    await bob.api.stories.react.mutate({ mediaId: anaSlide, emoji: "❤️" });
    await ana.api.notifications.updatePreferences.mutate({ muted: { digest_ready: true } });
    await ana.api.auth.exportData.mutate();
    await t.client().auth.requestPasswordReset.mutate({ email: ana.email });
    await t.settle();

    const [message] = await rows<{ id: string }>(sql`select id from messages where user_id = ${ana.id} and role = 'user' limit 1`);
    const db = t.database.db;
    await db.execute(sql`insert into mood_history (user_id, companion_id, recorded_on, mood, affection, trust, energy) values (${ana.id}, ${companion.id}, current_date - 1, 'joyful', 60, 60, 60) on conflict do nothing`);
    await db.execute(sql`insert into digests (user_id, companion_id, week, week_start, stats, letter, method) values (${ana.id}, ${companion.id}, '2026-W01', '2025-12-29', '{}', 'Dear Ana', 'template')`);
    await db.execute(sql`insert into conversation_summaries (user_id, companion_id, version, content, covers_until, covers_until_message_id, message_count, method) values (${ana.id}, ${companion.id}, 1, 'summary', now(), ${message?.id}, 1, 'template')`);
    await db.execute(sql`insert into reply_alternatives (user_id, user_message_id, position, content, status) values (${ana.id}, ${message?.id}, 9, 'an alternative', 'complete')`);
    await db.execute(sql`insert into story_views (story_id, viewer_id) values (${bobStory.id}, ${ana.id})`);
    await db.execute(sql`insert into story_audience (story_id, user_id) values (${bobStory.id}, ${ana.id})`);
    await db.execute(sql`insert into story_drafts (owner_user_id, companion_id, caption, slides) values (${ana.id}, ${anaOwn.id}, 'a draft', '[]')`);
    await db.execute(sql`insert into used_stream_tickets (jti, user_id, expires_at) values (${randomUUID()}, ${ana.id}, now() + interval '1 minute')`);
    await db.execute(sql`insert into push_devices (user_id, platform, endpoint) values (${ana.id}, 'web', 'https://push.example.com/ana')`);
    await db.execute(sql`insert into ai_calls (user_id, provider, model, purpose, outcome, latency_ms) values (${ana.id}, 'fake', 'fake-model', 'chat', 'ok', 12)`);
    // Hybrid search's tables exist where pgvector does (drizzle/0011_search.sql).
    const [memory] = await rows<{ id: string }>(sql`select id from memories where user_id = ${ana.id} limit 1`);
    const [vectors] = await rows<{ on: boolean }>(sql`select to_regclass('public.memory_embeddings') is not null as on`);
    if (vectors?.on) {
      await db.execute(sql`insert into memory_embeddings (memory_id, user_id, model, embedding) values (${memory?.id}, ${ana.id}, 'fake', '[1,0,0]')`);
      await db.execute(sql`insert into message_embeddings (message_id, user_id, model, embedding) values (${message?.id}, ${ana.id}, 'fake', '[1,0,0]')`);
    }
    // The tables whose procedures another part of issue 16 builds.
    await db.execute(sql`insert into blocks (blocker_id, blocked_id) values (${ana.id}, ${bob.id}), (${bob.id}, ${ana.id})`);
    await db.execute(sql`insert into mutes (muter_id, muted_id) values (${ana.id}, ${bob.id}), (${bob.id}, ${ana.id})`);
    await db.execute(sql`insert into reports (reporter_id, target_kind, target_id, reason) values (${ana.id}, 'user', ${bob.id}, 'spam')`);
    await db.execute(sql`insert into user_quotas (user_id, messages_per_day) values (${ana.id}, 10)`);
    await db.execute(sql`insert into security_events (user_id, kind) values (${ana.id}, 'login_failed')`);
    await db.execute(sql`insert into session_revocations (family_id, user_id, expires_at) values (${randomUUID()}, ${ana.id}, now() + interval '15 minutes')`);

    const withAna = await countTables();
    const columns = await userColumns();
    // Ana has rows in every column that names a user.
    const empty: string[] = [];
    for (const { table, column } of columns) if ((await countOf(table, column, ana.id)) === 0) empty.push(`${table}.${column}`);
    expect(empty).toEqual([]);
    const bobBefore = Object.fromEntries(await Promise.all(columns.map(async ({ table, column }) => [`${table}.${column}`, await countOf(table, column, bob.id)] as const)));

    const anaFiles = [avatarKey, ...(await rows<{ key: string }>(sql`select key from media_uploads where user_id = ${ana.id}`)).map((r) => r.key)];
    const [exported] = await rows<{ key: string }>(sql`select storage_key as key from data_exports where user_id = ${ana.id}`);
    if (!exported?.key) throw new Error("the export should be ready");
    anaFiles.push(exported.key);
    for (const key of anaFiles) expect(existsSync(join(mediaDir, key))).toBe(true);
    const bobFiles = (await rows<{ key: string }>(sql`select key from media_uploads where user_id = ${bob.id}`)).map((r) => r.key);

    // A wrong password is FORBIDDEN naming the field: not UNAUTHORIZED, which clients take for an expired token.
    const wrong = await failureOf(() => ana.api.auth.deleteAccount.mutate({ password: "not-the-password" }));
    expect(wrong).toEqual({ code: "FORBIDDEN", message: "Password is incorrect", fieldErrors: { password: ["Password is incorrect"] } });
    expect(await countTables()).toEqual(withAna);

    expect(await ana.api.auth.deleteAccount.mutate({ password: ana.password })).toEqual({ ok: true });
    await t.settle();

    // Nothing names Ana any more, anywhere (but the revocations of her sessions, which name no one else); Bob's rows are all there.
    for (const { table, column } of columns.filter((c) => c.table !== "session_revocations")) {
      expect({ column: `${table}.${column}`, rows: await countOf(table, column, ana.id) }).toEqual({ column: `${table}.${column}`, rows: 0 });
    }
    const bobAfter = Object.fromEntries(await Promise.all(columns.map(async ({ table, column }) => [`${table}.${column}`, await countOf(table, column, bob.id)] as const)));
    // Bob's own rows stay; what Ana's actions put in his tables (his follow of her, her block of him…) went with her.
    const bobLost = Object.fromEntries(Object.entries(bobBefore).filter(([k, n]) => bobAfter[k] !== n).map(([k, n]) => [k, [n, bobAfter[k]]]));
    const herTraces = [
      "blocks.blocked_id",
      "blocks.blocker_id",
      "follows.followee_id",
      "follows.follower_id",
      "mutes.muted_id",
      "mutes.muter_id",
      // Bob as a reactor on her notification; his follow notification from her.
      "notification_actors.actor_id",
      "notifications.user_id",
      // His reaction on her story.
      "story_reactions.user_id",
    ];
    expect(Object.keys(bobLost).filter((k) => !herTraces.includes(k))).toEqual([]);

    // Every table is back to its count before Ana, but for what is kept on purpose.
    const after = await countTables();
    const changed = Object.keys(after).filter((table) => after[table] !== baseline[table]);
    expect(changed.filter((table) => !(table in KEPT))).toEqual([]);
    expect(after.ai_calls).toBe(withAna.ai_calls);
    expect(after.security_events).toBeGreaterThan(baseline.security_events ?? 0);
    const [deletedEvent] = await rows<{ user_id: string | null; detail: unknown }>(sql`select user_id, detail from security_events where kind = 'account_deleted'`);
    expect(deletedEvent).toMatchObject({ user_id: null });
    expect(JSON.stringify(deletedEvent?.detail)).not.toContain(ana.email);

    // From Bob's side: her follow, her reaction and her follow notification are gone.
    expect((await bob.api.social.followers.query({})).items.map((e) => e.user.id)).not.toContain(ana.id);
    expect((await bob.api.social.following.query({})).items.map((e) => e.user.id)).not.toContain(ana.id);
    expect((await bob.api.stories.stats.query()).reactions).toEqual([]);
    const bobNotes = await bob.api.notifications.list.query({});
    expect(bobNotes.items.filter((n) => n.kind === "follow")).toEqual([]);

    // Her files are gone (the job ran); Bob's stay.
    for (const key of anaFiles) expect(existsSync(join(mediaDir, key))).toBe(false);
    for (const key of bobFiles) expect(existsSync(join(mediaDir, key))).toBe(true);

    // Her tokens name nobody; her password logs nobody in.
    expect((await failureOf(() => ana.api.auth.me.query())).code).toBe("UNAUTHORIZED");
    expect((await failureOf(() => t.client().auth.login.mutate({ email: ana.email, password: ana.password }))).code).toBe("UNAUTHORIZED");
  });
});

async function signUpWith(server: TestServer, name: string) {
  const { api } = server.session();
  const email = uniqueEmail(name.toLowerCase());
  const password = "password-1234";
  const session = await api.auth.register.mutate({ email, password, displayName: name });
  return { id: session.user.id, api, email, password };
}
