import { EVENT_RETENTION_MS, events, insertUser, stories } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventRetentionMs } from "../src/env.ts";
import { runCli } from "../src/main.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // The CLI closes its database when done; keep the shared test database open.
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, async () => ({ ...db, close: async () => {} }));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("admin CLI", () => {
  it("prints help, and exits 2 on an unknown command", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    for (const c of ["user:create", "user:list", "db:migrate", "db:seed", "stories:expire", "events:prune"]) expect(help.out).toContain(c);
    const unknown = await cli("user:delete-everything");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown command");
  });

  it("migrates and seeds idempotently", async () => {
    expect((await cli("db:migrate")).code).toBe(0);
    const first = await cli("db:seed");
    expect(first).toMatchObject({ code: 0, out: "seeded 5 companion(s), 10 story(ies)" });
    expect((await cli("db:seed")).out).toBe("seeded 0 companion(s), 0 story(ies)");
  });

  it("expires stories, and the seed posts new ones once none is live", async () => {
    await cli("db:seed");
    expect(await cli("stories:expire")).toMatchObject({ code: 0, err: "", out: "soft-deleted 0 expired story(ies), hard-deleted 0" });
    // Every story past its expiry (no filter: this database holds only demo stories).
    await db.db.update(stories).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await cli("stories:expire");
    expect(expired).toMatchObject({ code: 0, out: "soft-deleted 10 expired story(ies), hard-deleted 0" });
    expect((await cli("db:seed")).out).toBe("seeded 0 companion(s), 10 story(ies)");
  });

  it("prunes realtime events older than the retention, or than --days", async () => {
    // Not an @example.com address: the user:list test below counts those.
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

    for (const bad of ["0", "-1", "1.5", "week"]) {
      const refused = await cli("events:prune", `--days=${bad}`);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain("--days must be a whole number");
    }
    expect(await left()).toEqual(ids.slice(2).map((e) => e.id));
  });

  it("reads EVENT_RETENTION_MS like the worker does", () => {
    expect(eventRetentionMs({})).toBe(EVENT_RETENTION_MS);
    expect(eventRetentionMs({ EVENT_RETENTION_MS: "" })).toBe(EVENT_RETENTION_MS);
    expect(eventRetentionMs({ EVENT_RETENTION_MS: "86400000" })).toBe(86_400_000);
    expect(() => eventRetentionMs({ EVENT_RETENTION_MS: "5" })).toThrow("Invalid EVENT_RETENTION_MS");
  });

  it("creates and lists users, with clear errors", async () => {
    const created = await cli("user:create", "--email", "Ops@Example.com", "--password", "a-long-password", "--admin");
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ email: "ops@example.com", role: "admin" });

    const duplicate = await cli("user:create", "--email", "ops@example.com", "--password", "a-long-password");
    expect(duplicate.code).toBe(1);
    expect(duplicate.err).toContain("CONFLICT");

    const missing = await cli("user:create", "--email", "x@example.com");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--password is required");

    const short = await cli("user:create", "--email", "x@example.com", "--password", "short");
    expect(short.code).toBe(2);

    for (let i = 0; i < 3; i++) await cli("user:create", "--email", `u${i}@example.com`, "--password", "a-long-password");
    const page1 = await cli("user:list", "--limit", "2");
    expect(page1.code).toBe(0);
    const next = /--cursor (\S+)/.exec(page1.out)?.[1];
    expect(next).toBeTruthy();
    const page2 = await cli("user:list", "--limit", "10", "--cursor", next!);
    const emails = [...page1.out.matchAll(/\S+@example\.com/g), ...page2.out.matchAll(/\S+@example\.com/g)].map((m) => m[0]);
    expect(new Set(emails).size).toBe(4);
    expect(emails).toHaveLength(4);

    const bad = await cli("user:list", "--cursor", "garbage");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("Invalid cursor");
  });
});
