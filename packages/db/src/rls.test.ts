/**
 * Row Level Security: user B against user A's rows, for every user-owned table and every
 * operation. Each denial has a control: the same statement run as A does succeed (in a
 * rolled-back transaction), so a policy that denies everybody cannot pass as "secure".
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memories, messages } from "./schema/index.ts";
import { countRows, INSUFFICIENT_PRIVILEGE, queryRows, Rollback, seedRlsWorld, sqlState, type RlsWorld } from "./testing/rls-fixture.ts";
import { createTestDatabase, testBackend, type TestDatabase } from "./testing/index.ts";
import type { Database } from "./types.ts";
import { withUser } from "./transaction.ts";

let handle: TestDatabase;
let w: RlsWorld;
beforeAll(async () => {
  handle = await createTestDatabase({ poolSize: 2 });
  w = await seedRlsWorld(handle.db);
});
afterAll(async () => {
  await handle?.close();
});

interface TableCase {
  table: string;
  /** Selects the rows seeded as A's. */
  ownedByA: (w: RlsWorld) => string;
  /** A no-op assignment: the update is allowed or not, it never changes data. */
  set: string;
  /** Writes a new row that belongs to A (or hangs off A's story). */
  insertAsA: (w: RlsWorld) => string;
  /** Every signed-in user reads A's rows by design (the follow graph); writes stay A's. */
  sharedRead?: true;
  /**
   * The app role only reads: write grants are revoked, so every write raises permission
   * denied, A's included. The control is then the same statement run as service code.
   */
  appReadOnly?: true;
}

const fresh = () => randomUUID();
const cases: TableCase[] = [
  {
    table: "users",
    ownedByA: (w) => `id = '${w.a}'`,
    set: "display_name = display_name",
    // A's row exists: as A this does nothing; as B the RLS check fires before the conflict.
    insertAsA: (w) => `insert into users (id, email, password_hash, display_name) values ('${w.a}', '${fresh()}@x', 'x', 'A') on conflict (id) do nothing`,
  },
  {
    table: "refresh_tokens",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "ip = ip",
    insertAsA: (w) => `insert into refresh_tokens (user_id, family_id, token_hash, expires_at) values ('${w.a}', '${fresh()}', '${fresh()}', now())`,
  },
  {
    table: "relationship_states",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "trust = trust",
    insertAsA: (w) => `insert into relationship_states (user_id, companion_id) values ('${w.a}', '${w.sys2}')`,
  },
  {
    table: "mood_history",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "mood = mood",
    insertAsA: (w) =>
      `insert into mood_history (user_id, companion_id, recorded_on, mood, affection, trust, energy) values ('${w.a}', '${w.sys}', '2030-01-02', 'calm', 1, 1, 1)`,
  },
  {
    table: "messages",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "content = content",
    insertAsA: (w) => `insert into messages (user_id, companion_id, role, content) values ('${w.a}', '${w.sys}', 'user', 'planted')`,
  },
  {
    table: "memories",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "pinned = pinned",
    insertAsA: (w) => `insert into memories (user_id, companion_id, content) values ('${w.a}', '${w.sys}', 'planted')`,
  },
  {
    table: "story_reactions",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "emoji = emoji",
    insertAsA: (w) => `insert into story_reactions (user_id, media_id, story_id, emoji) values ('${w.a}', '${w.companionSlides[1]}', '${w.companionStory}', '🔥')`,
  },
  {
    table: "story_views",
    ownedByA: (w) => `viewer_id = '${w.a}'`,
    set: "viewed_at = viewed_at",
    insertAsA: (w) => `insert into story_views (story_id, viewer_id) values ('${w.companionStory2}', '${w.a}')`,
  },
  {
    table: "story_audience",
    ownedByA: (w) => `story_id = '${w.aStory}'`,
    set: "user_id = user_id",
    // B adding itself to A's private story.
    insertAsA: (w) => `insert into story_audience (story_id, user_id) values ('${w.aStory}', '${w.b}')`,
  },
  {
    table: "follows",
    ownedByA: (w) => `follower_id = '${w.a}'`,
    set: "created_at = created_at",
    insertAsA: (w) => `insert into follows (follower_id, followee_id) values ('${w.a}', '${w.b}')`,
    sharedRead: true,
  },
  {
    table: "notifications",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "read_at = read_at",
    insertAsA: (w) => `insert into notifications (user_id, kind) values ('${w.a}', 'planted')`,
  },
  {
    // No user column: a row is A's when its notification is. B is the seeded actor here.
    table: "notification_actors",
    ownedByA: (w) => `notification_id = '${w.aNotification}'`,
    set: "created_at = created_at",
    insertAsA: (w) => `insert into notification_actors (notification_id, actor_id) values ('${w.aNotification}', '${w.c}')`,
    appReadOnly: true,
  },
  {
    table: "notification_mutes",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "kind = kind",
    insertAsA: (w) => `insert into notification_mutes (user_id, kind) values ('${w.a}', 'planted')`,
  },
  {
    table: "push_devices",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "endpoint = endpoint",
    insertAsA: (w) => `insert into push_devices (user_id, platform, endpoint) values ('${w.a}', 'web', 'https://push.example/${fresh()}')`,
  },
  {
    table: "conversation_summaries",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "content = content",
    insertAsA: (w) => `insert into conversation_summaries (user_id, companion_id, version, content, covers_until, covers_until_message_id, message_count, method) values ('${w.a}', '${w.sys}', 99, 'planted', now(), '${fresh()}', 1, 'extractive')`,
    appReadOnly: true,
  },
  {
    table: "digests",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "letter = letter",
    insertAsA: (w) => `insert into digests (user_id, companion_id, week, week_start, stats, letter, method) values ('${w.a}', '${w.sys}', '2030-W09', '2030-02-25', '{}', 'planted', 'template')`,
    appReadOnly: true,
  },
  {
    table: "story_drafts",
    ownedByA: (w) => `owner_user_id = '${w.a}'`,
    set: "caption = caption",
    insertAsA: (w) => `insert into story_drafts (owner_user_id, companion_id, caption, slides) values ('${w.a}', '${w.aPublic}', 'planted', '[]')`,
  },
  {
    table: "events",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "type = type",
    insertAsA: (w) => `insert into events (user_id, type) values ('${w.a}', 'planted')`,
  },
  {
    table: "media_uploads",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "uploaded_at = uploaded_at",
    insertAsA: (w) => `insert into media_uploads (key, user_id, content_type, byte_size) values ('${fresh()}', '${w.a}', 'image/png', 1)`,
  },
  {
    table: "ai_calls",
    ownedByA: (w) => `user_id = '${w.a}'`,
    set: "model = model",
    insertAsA: (w) => `insert into ai_calls (user_id, provider, model, purpose, outcome, latency_ms) values ('${w.a}', 'p', 'm', 'chat', 'ok', 1)`,
  },
  {
    table: "stories",
    ownedByA: (w) => `author_user_id = '${w.a}'`,
    set: "caption = caption",
    insertAsA: (w) => `insert into stories (author_user_id, expires_at) values ('${w.a}', now() + interval '1 day')`,
  },
  {
    table: "story_media",
    ownedByA: (w) => `story_id = '${w.aStory}'`,
    set: "media_key = media_key",
    insertAsA: (w) => `insert into story_media (story_id, sort_order, kind, media_key) values ('${w.aStory}', 7, 'image', 'planted')`,
  },
  {
    // A's private companion; a public one is readable by design (rls-rules.test.ts).
    table: "companions",
    ownedByA: (w) => `id = '${w.aPrivate}'`,
    set: "bio = bio",
    insertAsA: (w) => `insert into companions (owner_user_id, slug, name) values ('${w.a}', '${fresh()}', 'planted')`,
  },
];

const count = (db: Database, c: TableCase) => countRows(db, c.table, c.ownedByA(w));
const changed = async (db: Database, statement: string) => (await queryRows(db, sql.raw(`${statement} returning 1 as one`))).length;

/** Runs `fn` in a transaction, then rolls back: the control writes must not disturb the seed. */
async function rolledBack<T>(open: (fn: (tx: Database) => Promise<never>) => Promise<unknown>, fn: (tx: Database) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await expect(
    open(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
  return result as T;
}
const asUserRolledBack = <T>(userId: string, fn: (tx: Database) => Promise<T>) => rolledBack((f) => withUser(handle.db, userId, f), fn);
const asServiceRolledBack = <T>(fn: (tx: Database) => Promise<T>) => rolledBack((f) => handle.db.transaction(f), fn);
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => sqlState(e) ?? e);

// The search embeddings exist where the vector extension does (drizzle/0011_search.sql): always
// on PGlite, which loads it, so the matrix covers them there.
if (testBackend() === "pglite") {
  cases.push(
    {
      table: "memory_embeddings",
      ownedByA: (w) => `user_id = '${w.a}'`,
      set: "model = model",
      insertAsA: (w) => `insert into memory_embeddings (memory_id, user_id, model, embedding) select id, user_id, 'planted', '[1,0]' from memories where user_id = '${w.a}'`,
      appReadOnly: true,
    },
    {
      table: "message_embeddings",
      ownedByA: (w) => `user_id = '${w.a}'`,
      set: "model = model",
      insertAsA: (w) => `insert into message_embeddings (message_id, user_id, model, embedding) values ('${w.aMessage}', '${w.a}', 'planted', '[1,0]')`,
      appReadOnly: true,
    },
  );
}

describe.each(cases)("RLS matrix: $table", (c) => {
  it(c.sharedRead ? "B reads A's rows by design, as A does" : "B reads none of A's rows; A reads them", async () => {
    const asA = await withUser(handle.db, w.a, (tx) => count(tx, c));
    expect(asA).toBeGreaterThan(0);
    expect(await withUser(handle.db, w.b, (tx) => count(tx, c))).toBe(c.sharedRead ? asA : 0);
  });

  /** A read-only table refuses A too; its control is then the same statement as service code. */
  const control = async <T>(fn: (tx: Database) => Promise<T>): Promise<T> => {
    if (!c.appReadOnly) return asUserRolledBack(w.a, fn);
    expect(await rejection(withUser(handle.db, w.a, fn))).toBe(INSUFFICIENT_PRIVILEGE);
    return asServiceRolledBack(fn);
  };
  /** Revoked grants are a loud "permission denied"; a policy alone hides rows silently. */
  const deniedToB = async (statement: string) => {
    const asB = withUser(handle.db, w.b, (tx) => changed(tx, statement));
    if (c.appReadOnly) expect(await rejection(asB)).toBe(INSUFFICIENT_PRIVILEGE);
    else expect(await asB).toBe(0);
  };
  const byA = c.appReadOnly ? "neither does A, service code can" : "A can";

  it(`B updates none of A's rows; ${byA}`, async () => {
    const update = `update ${c.table} set ${c.set} where ${c.ownedByA(w)}`;
    await deniedToB(update);
    expect(await control((tx) => changed(tx, update))).toBeGreaterThan(0);
  });

  it(`B deletes none of A's rows; ${byA}`, async () => {
    const before = await count(handle.db, c);
    const del = `delete from ${c.table} where ${c.ownedByA(w)}`;
    await deniedToB(del);
    expect(await count(handle.db, c)).toBe(before);
    expect(await control((tx) => changed(tx, del))).toBeGreaterThan(0);
  });

  it(`B cannot insert a row of A's; ${byA}`, async () => {
    const insert = c.insertAsA(w);
    const err = await withUser(handle.db, w.b, (tx) => tx.execute(sql.raw(insert))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sqlState(err)).toBe(INSUFFICIENT_PRIVILEGE);
    await control((tx) => tx.execute(sql.raw(insert)));
  });
});

const userOwnedTables = [...cases.map((c) => c.table), "companion_personas"];

describe("RLS fails closed and leaves service code alone", () => {
  it("the app role with no user id sees nothing in any table and cannot write", async () => {
    const seen = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'companion_app', true)`);
      const counts: Record<string, number> = {};
      for (const table of userOwnedTables) counts[table] = await countRows(tx, table);
      return counts;
    });
    expect(seen).toEqual(Object.fromEntries(userOwnedTables.map((t) => [t, 0])));

    const err = await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'companion_app', true)`);
        await tx.execute(sql.raw(`insert into messages (user_id, companion_id, role, content) values ('${w.b}', '${w.sys}', 'user', 'x')`));
      })
      .then(() => null, (e: unknown) => e);
    expect(sqlState(err)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("a query that forgets its owner filter still returns only the scoped user's rows", async () => {
    // Deliberately no `where user_id = ...`: RLS is the only filter here.
    const rows = await withUser(handle.db, w.b, (tx) =>
      tx.select({ userId: messages.userId, content: messages.content }).from(messages),
    );
    expect(rows).toEqual([{ userId: w.b, content: "B's message" }]);
    const joined = await withUser(handle.db, w.b, (tx) =>
      tx.select({ owner: memories.userId }).from(memories).leftJoin(messages, sql`${messages.id} = ${memories.messageId}`),
    );
    expect(joined.map((r) => r.owner)).toEqual([w.b]);
  });

  it("the connection's own role (auth, admin, jobs) still sees every user's rows", async () => {
    for (const c of cases) expect(await count(handle.db, c), c.table).toBeGreaterThan(0);
    expect(await countRows(handle.db, "messages")).toBe(2);
  });

  it("service access holds for a role that does not bypass RLS, not only for superusers", async () => {
    // pg_read_all_data is a built-in role without BYPASSRLS, like a production owner role
    // under FORCE: RLS is active for it, and service_access is what lets it read.
    const seen = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local role pg_read_all_data`);
      const [active] = await queryRows<{ active: boolean }>(tx, sql`select row_security_active('messages') as active`);
      return { active: active?.active, messages: await countRows(tx, "messages"), memories: await countRows(tx, "memories") };
    });
    expect(seen).toEqual({ active: true, messages: 2, memories: 2 });
  });
});
