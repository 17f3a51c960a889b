/**
 * The security event log over HTTP (docs/security-events.md): what happened to my account,
 * listed by auth.securityEvents, newest first and keyset-paged, with the client's IP and user
 * agent, never a password, token or email.
 */
import { errorCode, isTRPCClientError } from "@companion/client";
import { securityEvents } from "@companion/db";
import { isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ TRUST_PROXY_HOPS: "1", LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: "2" });
});
afterAll(async () => {
  await t.stop();
});

const PASSWORD = "correct horse battery";
const IP = "192.0.2.44";

async function failureCode(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    if (isTRPCClientError(err)) return errorCode(err);
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("auth.securityEvents", () => {
  it("lists failed and throttled logins, reuse, password change and revocations, newest first, paged", async () => {
    const email = uniqueEmail("sec");
    const from = t.client({ headers: { "x-forwarded-for": IP, "user-agent": "sec-test/1.0" } });
    const first = await from.auth.register.mutate({ email, password: PASSWORD, displayName: "Sec" });
    for (let i = 0; i < 2; i++) expect(await failureCode(() => from.auth.login.mutate({ email, password: "wrong-wrong-1" }))).toBe("UNAUTHORIZED");
    // Refused three times while throttled: logged once (docs/security-events.md#retention).
    for (let i = 0; i < 3; i++) expect(await failureCode(() => from.auth.login.mutate({ email, password: "wrong-wrong-1" }))).toBe("TOO_MANY_REQUESTS");
    // Refresh-token reuse: rotate twice, then replay the first.
    const r1 = await t.client().auth.refresh.mutate({ refreshToken: first.tokens.refreshToken });
    await t.client().auth.refresh.mutate({ refreshToken: r1.tokens.refreshToken });
    expect(await failureCode(() => t.client().auth.refresh.mutate({ refreshToken: first.tokens.refreshToken }))).toBe("UNAUTHORIZED");

    const access = (await t.client().auth.login.mutate({ email, password: PASSWORD, deviceToken: first.deviceToken })).tokens.accessToken;
    const me = t.client({ getAccessToken: () => access, headers: { "x-forwarded-for": IP, "user-agent": "sec-test/1.0" } });
    const extra = await t.client().auth.login.mutate({ email, password: PASSWORD, deviceToken: first.deviceToken });
    await t.client().auth.logout.mutate({ refreshToken: extra.tokens.refreshToken });
    await me.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "another long secret" });
    await me.auth.logoutAll.mutate();
    // A new session: the client forgets its tokens after logoutAll.
    const { tokens } = await t.client().auth.login.mutate({ email, password: "another long secret" });
    const reader = t.client({ getAccessToken: () => tokens.accessToken });

    const page1 = await reader.auth.securityEvents.query({ limit: 4 });
    expect(page1.items).toHaveLength(4);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await reader.auth.securityEvents.query({ limit: 4, cursor: page1.nextCursor! });
    const all = [...page1.items, ...page2.items];
    expect(page2.nextCursor).toBeNull();
    expect(all.map((e) => e.kind)).toEqual([
      "sessions_revoked",
      "password_changed",
      "session_revoked",
      "refresh_reuse",
      "login_throttled",
      "login_failed",
      "login_failed",
    ]);
    const failed = all.find((e) => e.kind === "login_failed");
    expect(failed).toMatchObject({ ip: IP, userAgent: "sec-test/1.0", detail: { device: false } });
    expect(all.find((e) => e.kind === "login_throttled")?.detail).toMatchObject({ limit: "accountIp" });
    expect(all.find((e) => e.kind === "password_changed")).toMatchObject({ ip: IP, detail: { sessionsRevoked: expect.any(Number) } });
    const text = JSON.stringify(all);
    for (const secret of [PASSWORD, "wrong-wrong-1", email, first.tokens.refreshToken]) expect(text).not.toContain(secret);
  });

  it("lists only my own events; a failure for an unknown email is stored without a user or email", async () => {
    const email = uniqueEmail("mine");
    const nobody = uniqueEmail("nobody");
    expect(await failureCode(() => t.client().auth.login.mutate({ email: nobody, password: "whatever-wrong" }))).toBe("UNAUTHORIZED");
    const other = await t.client().auth.register.mutate({ email: uniqueEmail("other"), password: PASSWORD, displayName: "Other" });
    expect(await failureCode(() => t.client().auth.login.mutate({ email: other.user.email, password: "not-the-password" }))).toBe("UNAUTHORIZED");
    const { tokens } = await t.client().auth.register.mutate({ email, password: PASSWORD, displayName: "Mine" });
    const mine = await t.client({ getAccessToken: () => tokens.accessToken }).auth.securityEvents.query({});
    expect(mine).toEqual({ items: [], nextCursor: null });
    const anonymous = await t.database.db.select({ detail: securityEvents.detail }).from(securityEvents).where(isNull(securityEvents.userId));
    expect(anonymous.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(anonymous)).not.toContain(nobody);
  });

  it("needs a session, and refuses a foreign cursor with INVALID_CURSOR", async () => {
    expect(await failureCode(() => t.client().auth.securityEvents.query({}))).toBe("UNAUTHORIZED");
    const { tokens } = await t.client().auth.register.mutate({ email: uniqueEmail("cur"), password: PASSWORD, displayName: "Cur" });
    const api = t.client({ getAccessToken: () => tokens.accessToken });
    expect(await failureCode(() => api.auth.securityEvents.query({ cursor: "bm90LWEtY3Vyc29y" }))).toBe("BAD_REQUEST");
  });
});
