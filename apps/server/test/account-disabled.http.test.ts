import { disableUser, enableUser, revokeSessions } from "@companion/auth";
import { isTRPCClientError } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

// What `pnpm admin user:disable`, `user:enable` and `sessions:revoke` do, seen by an app over HTTP.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const PASSWORD = "correct horse battery";

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code, message: err.message, httpStatus: err.data?.httpStatus };
    throw err;
  }
  throw new Error("expected the call to fail");
};

describe("a disabled account over HTTP", () => {
  it("cannot log in or refresh; its access token is refused once the revocation's NOTIFY arrives; enabling restores login", async () => {
    const email = uniqueEmail("disabled");
    const { tokens } = await t.client().auth.register.mutate({ email, password: PASSWORD, displayName: "D" });
    await disableUser(t.database.db, { email });

    expect(await failure(t.client().auth.login.mutate({ email, password: PASSWORD }))).toEqual({ code: "FORBIDDEN", message: "Account disabled", httpStatus: 403 });
    expect(await failure(t.client().auth.refresh.mutate({ refreshToken: tokens.refreshToken }))).toEqual({ code: "UNAUTHORIZED", message: "Account disabled", httpStatus: 401 });

    // Disabling revoked the sessions (session_revocations + NOTIFY): the server refuses the access token too.
    await vi.waitFor(async () => expect((await failure(t.client({ getAccessToken: () => tokens.accessToken }).auth.me.query())).code).toBe("UNAUTHORIZED"), {
      timeout: 5000,
      interval: 20,
    });

    // An app whose access token is stale tries one refresh, is refused, and drops its tokens.
    const seen: unknown[] = [];
    const app = t.client({ getAccessToken: () => "stale", getRefreshToken: () => tokens.refreshToken, onTokens: (x) => void seen.push(x) });
    expect((await failure(app.auth.me.query())).code).toBe("UNAUTHORIZED");
    expect(seen).toEqual([null]);

    await enableUser(t.database.db, { email });
    const { api, tokens: stored } = t.session();
    await api.auth.login.mutate({ email, password: PASSWORD });
    const refreshed = await api.auth.refresh.mutate({ refreshToken: stored()?.refreshToken ?? "" });
    expect(refreshed.tokens.refreshToken).toBe(stored()?.refreshToken);
  });

  it("revoking a user's sessions stops their refresh", async () => {
    const email = uniqueEmail("revoked");
    const first = await t.client().auth.register.mutate({ email, password: PASSWORD, displayName: "R" });
    const second = await t.client().auth.login.mutate({ email, password: PASSWORD });
    const { sessionId } = await t.server.runtime.services.auth.verifyAccessToken(second.tokens.accessToken);

    expect((await revokeSessions(t.database.db, { email }, { sessionId })).revokedSessions).toBe(1);
    expect((await failure(t.client().auth.refresh.mutate({ refreshToken: second.tokens.refreshToken }))).code).toBe("UNAUTHORIZED");
    const kept = await t.client().auth.refresh.mutate({ refreshToken: first.tokens.refreshToken });

    expect((await revokeSessions(t.database.db, { email })).revokedSessions).toBe(1);
    expect((await failure(t.client().auth.refresh.mutate({ refreshToken: kept.tokens.refreshToken }))).code).toBe("UNAUTHORIZED");
  });
});
