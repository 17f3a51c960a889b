import { users, type Database } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAuth, META, PASSWORD, rejectionOf, uniqueEmail } from "../test/helpers.ts";
import { disableUser, enableUser, listUserSessions, revokeSessions } from "./accounts.ts";

let handle: TestDatabase;
let db: Database;
beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});

/** A user with two sessions (register, then a second login). */
async function userWithTwoSessions() {
  const ctx = makeAuth(db);
  const email = uniqueEmail();
  const first = await ctx.auth.register({ email, password: PASSWORD, displayName: "Ada" }, META);
  const second = await ctx.auth.login({ email, password: PASSWORD }, { ip: "198.51.100.1", userAgent: "phone" });
  const sessionOf = async (accessToken: string) => (await ctx.auth.verifyAccessToken(accessToken)).sessionId;
  return {
    ...ctx,
    email,
    user: first.user,
    sessions: [
      { id: await sessionOf(first.tokens.accessToken), refreshToken: first.tokens.refreshToken },
      { id: await sessionOf(second.tokens.accessToken), refreshToken: second.tokens.refreshToken },
    ] as const,
  };
}

describe("disableUser / enableUser", () => {
  it("refuses login and refresh while disabled, revokes every session, and enabling restores login only", async () => {
    const { auth, email, user, sessions } = await userWithTwoSessions();
    const disabled = await disableUser(db, { email });
    expect(disabled).toMatchObject({ user: { id: user.id, email }, revokedSessions: 2 });
    expect(disabled.user.disabledAt).toBeInstanceOf(Date);

    expect(await rejectionOf(auth.login({ email, password: PASSWORD }, META))).toMatchObject({ code: "FORBIDDEN", message: "Account disabled" });
    // A wrong password still gets the plain answer: "disabled" is said only to whoever knows the password.
    expect(await rejectionOf(auth.login({ email, password: "not the password" }, META))).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid email or password" });
    for (const s of sessions) {
      expect(await rejectionOf(auth.refresh(s.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED", message: "Account disabled" });
    }
    expect(await listUserSessions(db, { id: user.id })).toEqual([]);

    // Disabling again keeps the first time and finds nothing left to revoke.
    const again = await disableUser(db, { id: user.id }, new Date(Date.now() + 60_000));
    expect(again).toMatchObject({ revokedSessions: 0, user: { disabledAt: disabled.user.disabledAt } });

    const enabled = await enableUser(db, { email });
    expect(enabled.disabledAt).toBeNull();
    const [row] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, user.id));
    expect(row?.disabledAt).toBeNull();
    const back = await auth.login({ email, password: PASSWORD }, META);
    await expect(auth.refresh(back.tokens.refreshToken, META)).resolves.toBeTruthy();
    // Sessions revoked by disabling stay revoked.
    expect(await rejectionOf(auth.refresh(sessions[0].refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("answers NOT_FOUND for an unknown user", async () => {
    expect(await rejectionOf(disableUser(db, { email: "nobody@example.com" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await rejectionOf(enableUser(db, { id: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("listUserSessions / revokeSessions", () => {
  it("lists live sessions, revokes one, then the rest", async () => {
    const { auth, user, sessions } = await userWithTwoSessions();
    // A refresh keeps the session: same id, a later last refresh.
    const rotated = await auth.refresh(sessions[0].refreshToken, META);
    const listed = await listUserSessions(db, { id: user.id });
    expect(listed.map((s) => s.id).sort()).toEqual([sessions[0].id, sessions[1].id].sort());
    const phone = listed.find((s) => s.id === sessions[1].id);
    expect(phone).toMatchObject({ userAgent: "phone", ip: "198.51.100.1" });
    expect(phone?.expiresAt.getTime()).toBeGreaterThan(Date.now());

    expect(await revokeSessions(db, { id: user.id }, { sessionId: sessions[1].id })).toMatchObject({ revokedSessions: 1 });
    expect(await rejectionOf(auth.refresh(sessions[1].refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    expect((await listUserSessions(db, { id: user.id })).map((s) => s.id)).toEqual([sessions[0].id]);

    expect(await revokeSessions(db, { id: user.id })).toMatchObject({ revokedSessions: 1 });
    expect(await rejectionOf(auth.refresh(rotated.tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await listUserSessions(db, { id: user.id })).toEqual([]);
  });

  it("refuses a session of another user", async () => {
    const a = await userWithTwoSessions();
    const b = await userWithTwoSessions();
    expect(await rejectionOf(revokeSessions(db, { id: a.user.id }, { sessionId: b.sessions[0].id }))).toMatchObject({ code: "NOT_FOUND", message: "Session not found" });
    await expect(b.auth.refresh(b.sessions[0].refreshToken, META)).resolves.toBeTruthy();
  });
});
