/**
 * Sessions that end when they are ended (docs/auth.md#revocation): after logout, logoutAll or
 * changePassword the revoked sessions' access tokens are refused on the very next call, and a
 * wrong current password is a field error the client does not take for an expired token.
 */
import { errorCode, isTRPCClientError } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

const PASSWORD = "correct horse battery";

/** A client that only holds this access token: no refresh token, so a refusal is final. */
const holding = (accessToken: string) => t.client({ getAccessToken: () => accessToken });

async function failureOf(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (err) {
    if (isTRPCClientError(err)) return { code: errorCode(err), message: err.message, fieldErrors: err.data?.zodError?.fieldErrors ?? null };
    throw err;
  }
  throw new Error("expected the call to fail");
}

async function account() {
  const email = uniqueEmail("sessions");
  const first = await t.client().auth.register.mutate({ email, password: PASSWORD, displayName: "Sessions" });
  const second = await t.client().auth.login.mutate({ email, password: PASSWORD });
  return { email, first: first.tokens, second: second.tokens };
}

describe("revoked sessions over HTTP", () => {
  it("logout: the session's access token is refused on the next call, the other session's is not", async () => {
    const { first, second } = await account();
    await expect(holding(first.accessToken).auth.me.query()).resolves.toBeDefined();
    await t.client().auth.logout.mutate({ refreshToken: first.refreshToken });
    expect(await failureOf(() => holding(first.accessToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED", message: "This session has ended; sign in again" });
    await expect(holding(second.accessToken).auth.me.query()).resolves.toBeDefined();
    // The stream-ticket path is closed too.
    expect(await failureOf(() => holding(first.accessToken).auth.streamTicket.mutate())).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("logoutAll: every session's access token is refused at once", async () => {
    const { first, second } = await account();
    await holding(first.accessToken).auth.logoutAll.mutate();
    expect(await failureOf(() => holding(first.accessToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await failureOf(() => holding(second.accessToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("changePassword: the other sessions' access tokens are refused at once, the current one keeps working", async () => {
    const { first, second } = await account();
    await holding(first.accessToken).auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "a brand new secret" });
    await expect(holding(first.accessToken).auth.me.query()).resolves.toBeDefined();
    expect(await failureOf(() => holding(second.accessToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("refresh-token reuse revokes the session's access tokens too", async () => {
    const { first } = await account();
    const rotated = await t.client().auth.refresh.mutate({ refreshToken: first.refreshToken });
    // Past the grace window a replay is reuse; inside it, a replay of the parent is answered again. Rotate the child instead.
    await t.client().auth.refresh.mutate({ refreshToken: rotated.tokens.refreshToken });
    expect(await failureOf(() => t.client().auth.refresh.mutate({ refreshToken: first.refreshToken }))).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await failureOf(() => holding(rotated.tokens.accessToken).auth.me.query())).toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("changePassword with a wrong current password", () => {
  it("is BAD_REQUEST with a field error on currentPassword, and the client neither refreshes nor drops its tokens", async () => {
    const email = uniqueEmail("wrongpw");
    const paths: string[] = [];
    const tokenEvents: unknown[] = [];
    const session = await t.client().auth.register.mutate({ email, password: PASSWORD, displayName: "Wrong" });
    const client = t.client({
      getAccessToken: () => session.tokens.accessToken,
      getRefreshToken: () => session.tokens.refreshToken,
      onTokens: (tk) => void tokenEvents.push(tk),
      fetch: async (input, init) => {
        paths.push(new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).pathname);
        return fetch(input, init);
      },
    });
    const failure = await failureOf(() => client.auth.changePassword.mutate({ currentPassword: "not my password", newPassword: "a brand new secret" }));
    expect(failure).toMatchObject({ code: "BAD_REQUEST", message: "Current password is incorrect", fieldErrors: { currentPassword: ["Current password is incorrect"] } });
    expect(paths).toEqual(["/trpc/auth.changePassword"]);
    expect(tokenEvents).toEqual([]);
    // Nothing changed: the old password still signs in.
    await expect(t.client().auth.login.mutate({ email, password: PASSWORD })).resolves.toBeDefined();
  });
});
