import { EVENT_RETENTION_MS, events, insertUser, stories } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventRetentionMs } from "../src/env.ts";
import { cliOn } from "./helpers.ts";

let db: TestDatabase;
let cli: ReturnType<typeof cliOn>;
beforeAll(async () => {
  db = await createTestDatabase();
  cli = cliOn(db);
});
afterAll(async () => {
  await db.close();
});

describe("admin CLI", () => {
  it("prints help, each command's own help, and exits 64 on an unknown command or flag", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    const names = ["db:migrate", "db:seed", "stories:expire", "events:prune", "companions:import", "ai:stats"];
    for (const c of [...names, "user:create", "user:list", "user:disable", "user:enable", "sessions:list", "sessions:revoke", "reports:list", "reports:resolve"]) {
      expect(help.out).toContain(c);
      const own = await cli(c, "--help");
      expect(own.code).toBe(0);
      expect(own.out).toMatch(new RegExp(`^Usage: pnpm admin ${c} `));
      expect(own.out).toContain("--json");
    }
    expect((await cli("events:prune", "-h")).out).toMatch(/--days N\s+keep the last N days/);
    expect((await cli("sessions:revoke", "--help")).out).toMatch(/Arguments:\n\s+<email\|id>\s+the user's email address or id[\s\S]*--session ID/);

    const unknown = await cli("user:delete-everything");
    expect(unknown).toMatchObject({ code: 64, out: "" });
    expect(unknown.err).toMatch(/^unknown command: user:delete-everything\nUsage: pnpm admin <command>/);
    const none = await cli();
    expect(none).toMatchObject({ code: 64, out: "" });

    const flag = await cli("db:seed", "--force", "--json");
    expect(flag).toMatchObject({ code: 64, out: "" });
    expect(JSON.parse(flag.err)).toEqual({ error: { code: "USAGE", message: "unknown option --force" } });
    const extra = await cli("stories:expire", "now");
    expect(extra).toMatchObject({ code: 64, err: expect.stringMatching(/^unexpected argument: now\nUsage: pnpm admin stories:expire \[options\]/) });
    expect(cli.opened()).toBe(0);
  });

  it("migrates and seeds idempotently", async () => {
    expect((await cli("db:migrate")).code).toBe(0);
    const first = await cli("db:seed");
    expect(first).toMatchObject({ code: 0, out: "seeded 5 companion(s), 10 story(ies)" });
    expect((await cli("db:seed")).out).toBe("seeded 0 companion(s), 0 story(ies)");
    expect(JSON.parse((await cli("db:seed", "--json")).out)).toEqual({ companions: 0, stories: 0 });
    expect(JSON.parse((await cli("db:migrate", "--json")).out)).toEqual({ backend: db.kind });
  });

  it("expires stories, and the seed posts new ones once none is live", async () => {
    await cli("db:seed");
    expect(await cli("stories:expire")).toMatchObject({ code: 0, err: "", out: "soft-deleted 0 expired story(ies), hard-deleted 0" });
    // Every story past its expiry (no filter: this database holds only demo stories).
    await db.db.update(stories).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await cli("stories:expire");
    expect(expired).toMatchObject({ code: 0, out: "soft-deleted 10 expired story(ies), hard-deleted 0" });
    expect((await cli("db:seed")).out).toBe("seeded 0 companion(s), 10 story(ies)");
    expect(JSON.parse((await cli("stories:expire", "--json")).out)).toEqual({ softDeleted: 0, hardDeleted: 0 });
  });

  it("prunes realtime events older than the retention, or than --days", async () => {
    const { id: userId } = await insertUser(db.db, { email: "events-prune@events.test", passwordHash: "x", displayName: "E" });
    const DAY = 86_400_000;
    const payload = { storyId: userId, viewerId: userId };
    const ids = await db.db
      .insert(events)
      .values([30 * DAY, 3 * DAY, 0].map((age) => ({ userId, type: "story.viewed", payload, createdAt: new Date(Date.now() - age) })))
      .returning({ id: events.id });
    const left = async () => (await db.db.select({ id: events.id }).from(events)).map((e) => e.id).sort((a, b) => a - b);

    expect(await cli("events:prune", "--days", "40")).toMatchObject({ code: 0, out: expect.stringMatching(/^deleted 0 event\(s\) created before /) });
    // Default: EVENT_RETENTION_MS (unset here), 7 days.
    expect(await cli("events:prune")).toMatchObject({ code: 0, out: expect.stringMatching(/^deleted 1 event\(s\)/) });
    expect(await left()).toEqual(ids.slice(1).map((e) => e.id));
    expect(await cli("events:prune", "--days", "2")).toMatchObject({ code: 0, out: expect.stringMatching(/^deleted 1 event\(s\)/) });
    expect(await left()).toEqual(ids.slice(2).map((e) => e.id));
    const json = await cli("events:prune", "--days", "1", "--json");
    expect(json).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(json.out)).toEqual({ deleted: 0, olderThan: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const opened = cli.opened();
    for (const bad of ["0", "-1", "1.5", "week", "100000"]) {
      const refused = await cli("events:prune", `--days=${bad}`);
      expect(refused.code).toBe(64);
      expect(refused.err).toContain("--days: must be a whole number from 1 to 99999");
    }
    expect(cli.opened()).toBe(opened);
    expect(await left()).toEqual(ids.slice(2).map((e) => e.id));
  });

  it("reads EVENT_RETENTION_MS like the worker does", () => {
    expect(eventRetentionMs({})).toBe(EVENT_RETENTION_MS);
    expect(eventRetentionMs({ EVENT_RETENTION_MS: "" })).toBe(EVENT_RETENTION_MS);
    expect(eventRetentionMs({ EVENT_RETENTION_MS: "86400000" })).toBe(86_400_000);
    expect(() => eventRetentionMs({ EVENT_RETENTION_MS: "5" })).toThrow("Invalid EVENT_RETENTION_MS");
  });
});
