/**
 * Row Level Security beyond "own rows only": shared rows (companions, stories), links
 * between rows, the catalog guard that every table is covered, and withUser itself.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "./errors.ts";
import { storyReactions, storyViews } from "./schema/index.ts";
import { countRows, INSUFFICIENT_PRIVILEGE, queryRows, seedRlsWorld, sqlState, type RlsWorld } from "./testing/rls-fixture.ts";
import { createTestDatabase, type TestDatabase } from "./testing/index.ts";
import type { Database } from "./types.ts";
import { APP_ROLE, withUser } from "./transaction.ts";

let handle: TestDatabase;
let w: RlsWorld;
beforeAll(async () => {
  // One connection, so "the role reverts" is checked on the connection that had it.
  handle = await createTestDatabase({ poolSize: 1 });
  w = await seedRlsWorld(handle.db);
});
afterAll(async () => {
  await handle?.close();
});

const ids = async (db: Database, table: string, where = "true") =>
  (await queryRows<{ id: string }>(db, sql.raw(`select id from ${table} where ${where} order by id`))).map((r) => r.id);
const run = (userId: string, statement: string) => withUser(handle.db, userId, (tx) => tx.execute(sql.raw(statement)));
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => sqlState(e) ?? e);
const changed = (userId: string, statement: string) =>
  withUser(handle.db, userId, async (tx) => (await queryRows(tx, sql.raw(`${statement} returning 1 as one`))).length);

describe("every table is covered", () => {
  it("has RLS enabled and forced, a service_access policy and a companion_app policy", async () => {
    const tables = await queryRows<{ table: string; enabled: boolean; forced: boolean; service: boolean; app: boolean }>(
      handle.db,
      sql`select c.relname as "table", c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
                 exists (select 1 from pg_policies p where p.tablename = c.relname and p.policyname = 'service_access') as service,
                 exists (select 1 from pg_policies p where p.tablename = c.relname and ${APP_ROLE} = any(p.roles)) as app
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(18);
    for (const t of tables) expect(t, t.table).toEqual({ table: t.table, enabled: true, forced: true, service: true, app: true });
  });

  it("the app role cannot log in and does not bypass RLS", async () => {
    const [role] = await queryRows<Record<string, boolean>>(
      handle.db,
      sql`select rolcanlogin, rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`,
    );
    expect(role).toEqual({ rolcanlogin: false, rolsuper: false, rolbypassrls: false });
  });
});

describe("companions and personas", () => {
  it("public companions are readable by any user, a private one only by its owner", async () => {
    const visible = (u: string) => withUser(handle.db, u, (tx) => ids(tx, "companions"));
    expect(await visible(w.b)).toEqual([w.sys, w.sys2, w.aPublic].sort());
    expect(await visible(w.a)).toEqual([w.sys, w.sys2, w.aPublic, w.aPrivate].sort());
  });

  it("only the owner writes a companion; system companions are written by nobody in the app", async () => {
    expect(await changed(w.b, `update companions set bio = 'x' where id = '${w.aPublic}'`)).toBe(0);
    expect(await changed(w.a, `update companions set bio = 'x' where id = '${w.sys}'`)).toBe(0);
    expect(await changed(w.a, `delete from companions where id = '${w.sys}'`)).toBe(0);
    expect(await rejection(run(w.a, `insert into companions (slug, name) values ('sneaky', 'System?')`))).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("personas are readable with their companion, and writable by its owner only", async () => {
    const personas = (u: string) =>
      withUser(handle.db, u, async (tx) =>
        (await queryRows<{ id: string }>(tx, sql`select companion_id as id from companion_personas order by 1`)).map((r) => r.id),
      );
    expect(await personas(w.b)).toEqual([w.sys]);
    expect(await personas(w.a)).toEqual([w.sys, w.aPrivate].sort());
    const updated = (u: string, companionId: string) =>
      withUser(handle.db, u, async (tx) =>
        (await queryRows<{ id: string }>(tx, sql`update companion_personas set speaking_style = 'x' where companion_id = ${companionId} returning companion_id as id`)).length,
      );
    // The owner edits their companion's persona; nobody edits another's, nor a system companion's.
    expect(await updated(w.a, w.aPrivate)).toBe(1);
    expect(await updated(w.b, w.aPrivate)).toBe(0);
    expect(await updated(w.a, w.sys)).toBe(0);
    expect(await rejection(run(w.b, `insert into companion_personas (companion_id, system_prompt) values ('${w.aPublic}', 'x')`))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await rejection(run(w.a, `insert into companion_personas (companion_id, system_prompt) values ('${w.sys2}', 'x')`))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await rejection(run(w.a, `insert into companion_personas (companion_id, system_prompt) values ('${w.aPublic}', 'x')`))).toBeUndefined();
  });
});

describe("stories and what hangs off them", () => {
  it("companion stories and their media are readable by any user; a user's story by its author", async () => {
    expect(await withUser(handle.db, w.b, (tx) => ids(tx, "stories"))).toEqual([w.companionStory, w.companionStory2].sort());
    expect(await withUser(handle.db, w.b, (tx) => ids(tx, "story_media"))).toEqual([...w.companionSlides].sort());
    expect(await withUser(handle.db, w.a, (tx) => ids(tx, "story_media", `story_id = '${w.aStory}'`))).toEqual([w.aSlide]);
  });

  it("an audience member sees their membership and the private story; nobody else does", async () => {
    expect(await withUser(handle.db, w.c, (tx) => countRows(tx, "story_audience"))).toBe(1);
    expect(await withUser(handle.db, w.c, (tx) => countRows(tx, "stories", `id = '${w.aStory}'`))).toBe(1);
    expect(await withUser(handle.db, w.b, (tx) => countRows(tx, "stories", `id = '${w.aStory}'`))).toBe(0);
  });

  it("nobody reacts to or marks viewed a story they cannot see, or media of another story", async () => {
    const react = (media: string, story: string) =>
      `insert into story_reactions (user_id, media_id, story_id, emoji) values ('${w.b}', '${media}', '${story}', '🔥')`;
    expect(await rejection(run(w.b, react(w.aSlide, w.aStory)))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await rejection(run(w.b, react(w.companionSlides[1], w.companionStory2)))).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await rejection(run(w.b, `insert into story_views (story_id, viewer_id) values ('${w.aStory}', '${w.b}')`))).toBe(
      INSUFFICIENT_PRIVILEGE,
    );
  });

  it("UPSERTs on the user's own rows work under RLS", async () => {
    await withUser(handle.db, w.b, async (tx) => {
      await tx
        .insert(storyReactions)
        .values({ userId: w.b, mediaId: w.companionSlides[0], storyId: w.companionStory, emoji: "😂" })
        .onConflictDoUpdate({ target: [storyReactions.userId, storyReactions.mediaId], set: { emoji: "😂" } });
      await tx.insert(storyViews).values({ viewerId: w.b, storyId: w.companionStory }).onConflictDoNothing();
    });
    const [row] = await queryRows<{ emoji: string }>(
      handle.db,
      sql`select emoji from story_reactions where user_id = ${w.b} and media_id = ${w.companionSlides[0]}`,
    );
    expect(row?.emoji).toBe("😂");
  });

  it("the author of a user story reads its views and reactions; others do not", async () => {
    await handle.db.insert(storyViews).values({ viewerId: w.c, storyId: w.aStory });
    await handle.db.insert(storyReactions).values({ userId: w.c, mediaId: w.aSlide, storyId: w.aStory, emoji: "❤️" });
    const onAStory = (u: string) =>
      withUser(handle.db, u, async (tx) => [
        await countRows(tx, "story_views", `story_id = '${w.aStory}'`),
        await countRows(tx, "story_reactions", `story_id = '${w.aStory}'`),
      ]);
    expect(await onAStory(w.a)).toEqual([1, 1]);
    expect(await onAStory(w.b)).toEqual([0, 0]);
    // Reading is not owning: the author cannot delete the viewer's row.
    expect(await changed(w.a, `delete from story_views where story_id = '${w.aStory}'`)).toBe(0);
  });
});

describe("links between rows", () => {
  it("a memory can link only a message the user can see", async () => {
    const link = (message: string) =>
      `insert into memories (user_id, companion_id, content, message_id) values ('${w.b}', '${w.sys}', 'x', '${message}')`;
    expect(await rejection(run(w.b, link(w.aMessage)))).toBe(INSUFFICIENT_PRIVILEGE);
    const [own] = await queryRows<{ id: string }>(handle.db, sql`select id from messages where user_id = ${w.b}`);
    expect(await rejection(run(w.b, link(own?.id ?? "")))).toBeUndefined();
  });

  it("the follow graph is readable by every signed-in user; a follow is removable only by the follower", async () => {
    expect(await withUser(handle.db, w.c, (tx) => countRows(tx, "follows"))).toBe(2);
    expect(await withUser(handle.db, w.b, (tx) => countRows(tx, "follows", `follower_id = '${w.a}'`))).toBe(1);
    expect(await changed(w.c, `delete from follows where followee_id = '${w.c}'`)).toBe(0);
  });
});

describe("withUser", () => {
  const scope = async (db: Database) =>
    (await queryRows<{ role: string; uid: string | null }>(db, sql`select current_user as role, nullif(current_setting('app.current_user_id', true), '') as uid`))[0];

  it("runs as companion_app with the user id, and both revert after commit and rollback", async () => {
    const [before] = await queryRows<{ role: string }>(handle.db, sql`select current_user as role`);
    expect(await withUser(handle.db, w.a, scope)).toEqual({ role: APP_ROLE, uid: w.a });
    expect(await scope(handle.db)).toEqual({ role: before?.role, uid: null });
    await expect(withUser(handle.db, w.a, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await scope(handle.db)).toEqual({ role: before?.role, uid: null });
  });

  it("refuses a user id that is not a UUID with UNAUTHORIZED", async () => {
    for (const bad of ["", "not-a-uuid", `${w.a}' or true --`]) {
      const err = await withUser(handle.db, bad, () => Promise.resolve(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe("UNAUTHORIZED");
    }
  });
});
