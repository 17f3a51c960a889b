import { isTRPCClientError, type RouterInputs } from "@companion/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompanion, newKey, streamToEnd } from "./chat-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: "3" });
});
afterAll(async () => {
  await t.stop();
});

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code, message: err.message, data: err.data };
    throw err;
  }
  throw new Error("expected the call to fail");
};

/** A client whose access token is rejected but whose refresh token is good; `seen` collects its onTokens calls. */
function staleTokenClient(refreshToken: string) {
  const seen: unknown[] = [];
  const api = t.client({
    getAccessToken: () => "not-a-valid-token",
    getRefreshToken: () => refreshToken,
    onTokens: (tokens) => {
      seen.push(tokens);
    },
  });
  return { api, seen };
}

describe("auth through packages/client over HTTP", () => {
  it("register → me → refresh → logout", async () => {
    const { api, tokens } = t.session();
    const input: RouterInputs["auth"]["register"] = { email: `  ${uniqueEmail("Flow").toUpperCase()} `, password: "correct horse battery", displayName: "Flow" };
    const session = await api.auth.register.mutate(input);
    expect(session.user.email).toBe(input.email.trim().toLowerCase());
    expect(tokens()?.accessToken).toBe(session.tokens.accessToken);

    const me = await api.auth.me.query();
    expect(me).toMatchObject({ id: session.user.id, displayName: "Flow", role: "user" });

    const refreshed = await api.auth.refresh.mutate({ refreshToken: session.tokens.refreshToken });
    expect(refreshed.tokens.refreshToken).not.toBe(session.tokens.refreshToken);
    expect(tokens()?.refreshToken).toBe(refreshed.tokens.refreshToken);

    await api.auth.logout.mutate({ refreshToken: refreshed.tokens.refreshToken });
    expect(tokens()).toBeNull();
    const again = await codeOf(t.client().auth.refresh.mutate({ refreshToken: refreshed.tokens.refreshToken }));
    expect(again.code).toBe("UNAUTHORIZED");
  });

  it("refreshes once and retries when the access token is rejected", async () => {
    const email = uniqueEmail();
    const first = await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "R" });
    // An app holding a stale (here: garbage) access token and a valid refresh token.
    const { api, seen } = staleTokenClient(first.tokens.refreshToken);
    const me = await api.auth.me.query();
    expect(me.email).toBe(email);
    expect(seen).toHaveLength(1);
  });

  it("refreshes through the app's own refreshSession (a refresh token the page never sees), once for concurrent failures", async () => {
    const email = uniqueEmail();
    const first = await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "C" });
    let refreshToken = first.tokens.refreshToken;
    let calls = 0;
    // What a browser app's cookie route does on the server side: spend the refresh token, keep the new one.
    const refreshSession = async () => {
      calls++;
      const next = await t.client().auth.refresh.mutate({ refreshToken });
      refreshToken = next.tokens.refreshToken;
      return { accessToken: next.tokens.accessToken };
    };
    const api = t.client({ getAccessToken: () => "not-a-valid-token", refreshSession });
    const [a, b] = await Promise.all([api.auth.me.query(), api.settings.get.query()]);
    expect(a.email).toBe(email);
    expect(b).toBeTruthy();
    expect(calls).toBe(1);
    // The new access token is used from then on: no further refresh.
    await api.auth.me.query();
    expect(calls).toBe(1);
    // A session that is over: the call fails with UNAUTHORIZED after one attempt.
    const ended = t.client({ getAccessToken: () => "not-a-valid-token", refreshSession: async () => null });
    expect((await codeOf(ended.auth.me.query())).code).toBe("UNAUTHORIZED");
  });

  it("refreshes and retries a subscription refused before its first event", async () => {
    const first = await t.client().auth.register.mutate({ email: uniqueEmail(), password: "password-1234", displayName: "S" });
    const companion = await createCompanion(t.database.db);
    await t.client({ getAccessToken: () => first.tokens.accessToken }).companions.connect.mutate({ companionId: companion.id });
    // An app that sat on the chat screen until its access token expired; the stream is its first call.
    const { api, seen } = staleTokenClient(first.tokens.refreshToken);
    const events = await streamToEnd(api, { companionId: companion.id, content: "still there?", idempotencyKey: newKey() });
    expect(events.map((e) => e.type)).toContain("token");
    expect(events.at(-1)?.type).toBe("done");
    expect(seen).toHaveLength(1);
  });

  it("rejects forged and misused tokens", async () => {
    const { tokens } = await t.client().auth.register.mutate({ email: uniqueEmail(), password: "password-1234", displayName: "F" });
    const [header, payload] = tokens.accessToken.split(".");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), role: "admin" })).toString("base64url")}.${tokens.accessToken.split(".")[2]}`;
    const otherKey = await new SignJWT({ sid: "x", role: "user" })
      .setProtectedHeader({ alg: "HS256", kid: "k1", typ: "at+jwt" })
      .setSubject("00000000-0000-4000-8000-000000000000")
      .setIssuer("companion")
      .setAudience("companion-app")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-completely-different-secret-of-32+chars"));
    for (const bad of [unsigned, tampered, otherKey, tokens.refreshToken]) {
      const api = t.client({ getAccessToken: () => bad, getRefreshToken: () => null });
      expect((await codeOf(api.auth.me.query())).code).toBe("UNAUTHORIZED");
    }
  });

  it("gives the same error for an unknown email and a wrong password", async () => {
    const email = uniqueEmail();
    await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "S" });
    const wrong = await codeOf(t.client().auth.login.mutate({ email, password: "wrong-password" }));
    const unknown = await codeOf(t.client().auth.login.mutate({ email: uniqueEmail(), password: "wrong-password" }));
    expect(wrong.code).toBe("UNAUTHORIZED");
    expect(unknown).toEqual(wrong);
  });

  it("throttles repeated failures with TOO_MANY_REQUESTS and Retry-After", async () => {
    const email = uniqueEmail();
    await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "T" });
    for (let i = 0; i < 3; i++) await codeOf(t.client().auth.login.mutate({ email, password: "nope-nope" }));
    const limited = await codeOf(t.client().auth.login.mutate({ email, password: "password-1234" }));
    expect(limited.code).toBe("TOO_MANY_REQUESTS");
    expect(limited.data?.retryAfterMs).toBeGreaterThan(0);

    const res = await fetch(`${t.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "password-1234" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers bad input with BAD_REQUEST and field errors", async () => {
    const err = await codeOf(t.client().auth.register.mutate({ email: "not-an-email", password: "short", displayName: "" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(Object.keys(err.data?.zodError?.fieldErrors ?? {}).sort()).toEqual(["displayName", "email", "password"]);
    expect(JSON.stringify(err.data)).not.toMatch(/stack|at .*\.ts/);
  });

  it("changePassword keeps this session and revokes the others", async () => {
    const email = uniqueEmail();
    const { api: a, tokens } = t.session();
    await a.auth.register.mutate({ email, password: "password-1234", displayName: "C" });
    const b = t.client();
    const other = await b.auth.login.mutate({ email, password: "password-1234" });
    await a.auth.changePassword.mutate({ currentPassword: "password-1234", newPassword: "new-password-5678" });
    expect((await codeOf(t.client().auth.refresh.mutate({ refreshToken: other.tokens.refreshToken }))).code).toBe("UNAUTHORIZED");
    const mine = tokens()?.refreshToken;
    expect((await t.client().auth.refresh.mutate({ refreshToken: mine! })).tokens.accessToken).toBeTruthy();
    expect((await codeOf(t.client().auth.login.mutate({ email, password: "password-1234" }))).code).toBe("UNAUTHORIZED");
    await t.client().auth.login.mutate({ email, password: "new-password-5678" });
  });

  it("logoutAll revokes every session of the user", async () => {
    const email = uniqueEmail();
    const a = t.client();
    const first = await a.auth.register.mutate({ email, password: "password-1234", displayName: "L" });
    const second = await t.client().auth.login.mutate({ email, password: "password-1234" });
    await a.auth.logoutAll.mutate();
    for (const rt of [first.tokens.refreshToken, second.tokens.refreshToken]) {
      expect((await codeOf(t.client().auth.refresh.mutate({ refreshToken: rt }))).code).toBe("UNAUTHORIZED");
    }
  });
});
