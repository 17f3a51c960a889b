import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    for (const c of ["user:create", "user:list", "db:migrate", "db:seed"]) expect(help.out).toContain(c);
    const unknown = await cli("user:delete-everything");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown command");
  });

  it("migrates and seeds idempotently", async () => {
    expect((await cli("db:migrate")).code).toBe(0);
    const first = await cli("db:seed");
    expect(first).toMatchObject({ code: 0, out: "seeded 5 companion(s)" });
    expect((await cli("db:seed")).out).toBe("seeded 0 companion(s)");
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
