import { randomBytes } from "node:crypto";
import { createAccessTokenService, createAuthService } from "@companion/auth";
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
const META = { ip: "198.51.100.9", userAgent: "admin-test" };

function authService() {
  const tokens = createAccessTokenService({ keys: [{ kid: "t", secret: new Uint8Array(randomBytes(32)) }], issuer: "i", audience: "a" });
  return createAuthService({ db: db.db, tokens, refreshPepper: new Uint8Array(randomBytes(32)) });
}

describe("security:events", () => {
  it("lists a user's events newest first, by email or id, filtered by kind, as JSON", async () => {
    const auth = authService();
    const email = `sec-${randomBytes(4).toString("hex")}@example.com`;
    const { user, tokens } = await auth.register({ email, password: PASSWORD, displayName: "Sec" }, META);
    await auth.login({ email, password: "not the password" }, META).catch(() => undefined);
    await auth.logout(tokens.refreshToken, META);

    const all = await cli("security:events", "--user", email, "--json");
    expect(all).toMatchObject({ code: 0, err: "" });
    const events = JSON.parse(all.out) as { kind: string; userId: string; ip: string; createdAt: string }[];
    expect(events.map((e) => e.kind)).toEqual(["session_revoked", "login_failed"]);
    expect(events[1]).toMatchObject({ userId: user.id, ip: META.ip, userAgent: META.userAgent, createdAt: expect.any(String) });

    const failed = await cli("security:events", "--user", user.id, "--kind", "login_failed,login_throttled", "--limit", "5", "--json");
    expect((JSON.parse(failed.out) as { kind: string }[]).map((e) => e.kind)).toEqual(["login_failed"]);

    const human = await cli("security:events", "--user", email, "--limit", "1");
    expect(human.code).toBe(0);
    expect(human.lines[0]).toContain("session_revoked");
    expect(human.out).toMatch(/next: --cursor \S+/);
  });

  it("refuses an unknown kind and answers NOT_FOUND for an unknown user", async () => {
    expect(await cli("security:events", "--user", "nobody@example.com", "--kind", "tea_time")).toMatchObject({ code: 64, err: expect.stringContaining("--kind") });
    const missing = await cli("security:events", "--user", "nobody@example.com", "--json");
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.err)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
