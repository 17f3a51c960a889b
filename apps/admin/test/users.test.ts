import { randomBytes } from "node:crypto";
import { createAccessTokenService, createAuthService, verifyPassword } from "@companion/auth";
import { users } from "@companion/db";
import { eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const PASSWORD = "a-long-password";
const META = { ip: null, userAgent: "admin-test" };

/** The service the API runs, on the same database, to see what an app would see. */
function authService() {
  const tokens = createAccessTokenService({ keys: [{ kid: "t", secret: new Uint8Array(randomBytes(32)) }], issuer: "i", audience: "a" });
  return createAuthService({ db: db.db, tokens, refreshPepper: new Uint8Array(randomBytes(32)) });
}

const storedHash = async (email: string) =>
  (await db.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, email)))[0]?.passwordHash ?? "";

const failure = (p: Promise<unknown>) => p.then(() => "resolved", (err: unknown) => err as { code?: string; message?: string });

describe("user:create", () => {
  it("reads the password from standard input with --password-stdin, and prints JSON with --json", async () => {
    const created = await cli.withStdin(`${PASSWORD}\nignored second line\n`, "user:create", "--email", " Ops@Example.com ", "--admin", "--name", "Ops", "--password-stdin", "--json");
    expect(created).toMatchObject({ code: 0, err: "" });
    const user = JSON.parse(created.out) as Record<string, unknown>;
    expect(user).toEqual({ id: expect.any(String), email: "ops@example.com", displayName: "Ops", role: "admin", createdAt: expect.any(String), disabledAt: null });
    expect((await verifyPassword(await storedHash("ops@example.com"), PASSWORD)).ok).toBe(true);

    // Without --json: the one-line summary it always printed; a CRLF line ending is not part of the password.
    const plain = await cli.withStdin(`${PASSWORD}\r\n`, "user:create", "--email", "plain@example.com", "--password-stdin");
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.out)).toEqual({ id: expect.any(String), email: "plain@example.com", role: "user" });
    expect((await verifyPassword(await storedHash("plain@example.com"), PASSWORD)).ok).toBe(true);

    const duplicate = await cli.withStdin(PASSWORD, "user:create", "--email", "ops@example.com", "--password-stdin", "--json");
    expect(duplicate).toMatchObject({ code: 1, out: "" });
    expect(JSON.parse(duplicate.err)).toEqual({ error: { code: "CONFLICT", message: "Email already registered" } });
  });

  it("reports a failed statement without its values: no email, no password hash", async () => {
    // A rule only the database knows, so the insert itself fails inside Postgres.
    await db.db.execute(sql.raw(`alter table users add constraint admin_test_no_leak check (display_name <> 'Leaky')`));
    try {
      for (const json of [true, false]) {
        const email = `leak-${json}@example.com`;
        const failed = await cli.withStdin(PASSWORD, "user:create", "--email", email, "--name", "Leaky", "--password-stdin", ...(json ? ["--json"] : []));
        expect(failed).toMatchObject({ code: 1, out: "" });
        expect(failed.err).toMatch(/insert into \\?"users\\?"/);
        for (const secret of [email, "$argon2id$", "Leaky", PASSWORD]) expect(failed.err).not.toContain(secret);
      }
    } finally {
      await db.db.execute(sql.raw(`alter table users drop constraint admin_test_no_leak`));
    }
  });

  it("refuses a password argument, a missing or short password and a bad email, before opening the database", async () => {
    const opened = cli.opened();
    for (const argv of [
      ["--password", PASSWORD],
      [`--password=${PASSWORD}`],
    ]) {
      const refused = await cli("user:create", "--email", "x@example.com", ...argv);
      expect(refused).toMatchObject({ code: 64, out: "" });
      expect(refused.err).toMatch(/^--password is not accepted: an argument is visible to other users in the process list and stays in shell history/);
      expect(refused.err).not.toContain(PASSWORD);
    }
    const cases: [string[], string | undefined, string][] = [
      [["--email", "x@example.com"], undefined, "no terminal to prompt for the password on: pipe it in with --password-stdin"],
      [["--email", "x@example.com", "--password-stdin"], "", "--password-stdin: standard input held no password"],
      [["--email", "x@example.com", "--password-stdin"], "short\n", "the password must be 8 to 256 characters"],
      [["--email", "not-an-email", "--password-stdin"], PASSWORD, "--email: must be an email address"],
      [["--password-stdin"], PASSWORD, "--email: is required"],
      [["--email", "x@example.com", "--name", " ", "--password-stdin"], PASSWORD, "--name: must not be empty"],
    ];
    for (const [argv, stdin, message] of cases) {
      const res = stdin === undefined ? await cli("user:create", ...argv, "--json") : await cli.withStdin(stdin, "user:create", ...argv, "--json");
      expect(res, argv.join(" ")).toMatchObject({ code: 64, out: "" });
      expect(JSON.parse(res.err)).toEqual({ error: { code: "USAGE", message: expect.stringContaining(message) } });
    }
    expect(cli.opened()).toBe(opened);
  });
});

describe("user:list", () => {
  it("pages with a cursor, walks every page with --all, and prints an array with --json", async () => {
    for (let i = 0; i < 3; i++) expect((await cli.withStdin(PASSWORD, "user:create", "--email", `list${i}@list.test`, "--password-stdin")).code).toBe(0);
    const page1 = await cli("user:list", "--limit", "2");
    expect(page1.code).toBe(0);
    expect(page1.lines[0]).toMatch(/^\S+ {2}\S+Z {2}user {3}list2@list\.test {2}list2$/);
    const next = /^next: --cursor (\S+)$/m.exec(page1.out)?.[1];
    expect(next).toBeTruthy();
    const page2 = await cli("user:list", "--limit", "10", "--cursor", next ?? "");
    const emails = [...page1.out.matchAll(/\S+@\S+\.test/g), ...page2.out.matchAll(/\S+@\S+\.test/g)].map((m) => m[0]);
    expect(emails).toEqual(["list2@list.test", "list1@list.test", "list0@list.test"]);

    const json = await cli("user:list", "--limit", "1", "--json");
    expect(json.code).toBe(0);
    const first = JSON.parse(json.out) as { email: string }[];
    expect(first).toEqual([{ id: expect.any(String), email: "list2@list.test", displayName: "list2", role: "user", createdAt: expect.any(String), disabledAt: null }]);
    // stdout stays pure JSON; the way on is told on stderr.
    expect(json.err).toMatch(/^more users: --cursor \S+ \(or --all\)$/);
    const all = await cli("user:list", "--limit", "1", "--all", "--json");
    expect(all.err).toBe("");
    const everyone = (JSON.parse(all.out) as { email: string }[]).map((u) => u.email);
    expect(everyone.slice(0, 3)).toEqual(["list2@list.test", "list1@list.test", "list0@list.test"]);
    expect(everyone.length).toBe((await db.db.select({ id: users.id }).from(users)).length);
  });

  it("refuses a bad --limit or --cursor before opening the database", async () => {
    const opened = cli.opened();
    expect(await cli("user:list", "--limit", "0")).toMatchObject({ code: 64, err: expect.stringContaining("--limit: must be a whole number from 1 to 1000") });
    expect(await cli("user:list", "--cursor", "garbage")).toMatchObject({ code: 64, err: expect.stringContaining("--cursor: not a cursor printed by user:list or security:events") });
    expect(await cli("user:list", "--limit")).toMatchObject({ code: 64, err: expect.stringContaining("--limit") });
    expect(cli.opened()).toBe(opened);
  });
});

describe("user:disable, user:enable, sessions:list, sessions:revoke", () => {
  it("disables: login and refresh refused, sessions revoked; enabling restores login", async () => {
    const auth = authService();
    const email = "disable-me@example.com";
    const { user, tokens } = await auth.register({ email, password: PASSWORD, displayName: "D" }, META);
    await auth.login({ email, password: PASSWORD }, { ip: "192.0.2.1", userAgent: "phone" });

    const sessions = await cli("sessions:list", email, "--json");
    const listed = JSON.parse(sessions.out) as { id: string; userAgent: string | null; ip: string | null; expiresAt: string }[];
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ userAgent: "phone", ip: "192.0.2.1" });

    const disabled = await cli("user:disable", email, "--json");
    expect(disabled).toMatchObject({ code: 0, err: "" });
    expect(JSON.parse(disabled.out)).toMatchObject({ id: user.id, email, disabledAt: expect.any(String), revokedSessions: 2 });
    expect(await failure(auth.login({ email, password: PASSWORD }, META))).toMatchObject({ code: "FORBIDDEN", message: "Account disabled" });
    expect(await failure(auth.refresh(tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    expect((await cli("sessions:list", user.id)).out).toBe("no live sessions");
    expect((await cli("user:list", "--limit", "1")).lines[0]).toMatch(/disable-me@example\.com {2}D {2}\(disabled\)$/);

    const human = await cli("user:disable", user.id.toUpperCase());
    expect(human.out).toBe(`disabled ${email} (${user.id}); revoked 0 session(s). Their access tokens are refused from now on.`);

    const enabled = await cli("user:enable", email, "--json");
    expect(JSON.parse(enabled.out)).toMatchObject({ id: user.id, disabledAt: null });
    await expect(auth.login({ email, password: PASSWORD }, META)).resolves.toBeTruthy();
  });

  it("revokes one session or all, and the revoked refresh fails", async () => {
    const auth = authService();
    const email = "revoke-me@example.com";
    const a = await auth.register({ email, password: PASSWORD, displayName: "R" }, META);
    const b = await auth.login({ email, password: PASSWORD }, META);
    const sessionB = (await auth.verifyAccessToken(b.tokens.accessToken)).sessionId;

    const one = await cli("sessions:revoke", email, "--session", sessionB, "--json");
    expect(JSON.parse(one.out)).toEqual({ userId: a.user.id, email, revokedSessions: 1 });
    expect(await failure(auth.refresh(b.tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    const kept = await auth.refresh(a.tokens.refreshToken, META);

    const rest = await cli("sessions:revoke", email);
    expect(rest.out).toMatch(/^revoked 1 session\(s\) of revoke-me@example\.com\. Their access tokens are refused from now on\./);
    expect(await failure(auth.refresh(kept.tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });

    const elsewhere = await cli("sessions:revoke", "ops@example.com", "--session", sessionB, "--json");
    expect(elsewhere).toMatchObject({ code: 1, out: "" });
    expect(JSON.parse(elsewhere.err)).toEqual({ error: { code: "NOT_FOUND", message: "Session not found" } });
  });

  it("answers NOT_FOUND for an unknown user and 64 for a bad or missing <email|id>", async () => {
    const unknown = await cli("user:disable", "nobody@example.com", "--json");
    expect(unknown).toMatchObject({ code: 1, out: "" });
    expect(JSON.parse(unknown.err)).toEqual({ error: { code: "NOT_FOUND", message: "User not found" } });
    expect(await cli("user:enable", "nobody@example.com")).toMatchObject({ code: 1, err: "NOT_FOUND: User not found" });

    const opened = cli.opened();
    expect(await cli("user:disable")).toMatchObject({ code: 64, err: expect.stringMatching(/^<email\|id>: is required\nUsage: pnpm admin user:disable <email\|id> \[options\]/) });
    expect(await cli("user:enable", "bob")).toMatchObject({ code: 64, err: expect.stringContaining("<email|id>: not an email address or a user id (uuid): bob") });
    expect(await cli("sessions:revoke", "a@example.com", "b@example.com")).toMatchObject({ code: 64, err: expect.stringContaining("unexpected argument: b@example.com") });
    expect(await cli("sessions:revoke", "a@example.com", "--session", "one")).toMatchObject({ code: 64, err: expect.stringContaining("--session: must be a session id (uuid)") });
    expect(cli.opened()).toBe(opened);
  });
});
