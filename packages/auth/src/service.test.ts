import { pruneSessionRevocations, refreshTokens, sessionRevocations, users, type Database } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import argon2 from "argon2";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { makeAuth, META, PASSWORD, rejectionOf, uniqueEmail } from "../test/helpers.ts";
import { dummyVerify } from "./password.ts";
import { startSessionRevocations } from "./revocations.ts";
import { createLoginThrottle } from "./throttle.ts";

// argon2 writes the parameters as m,t,p or m,p,t depending on the version: check each, not the order.
const ARGON2ID_DEFAULT_PARAMS = /^\$argon2id\$v=19\$(?=[^$]*\bm=19456\b)(?=[^$]*\bt=2\b)(?=[^$]*\bp=1\b)[mtp=0-9,]+\$/;

// Spies that call through, so the test can see whether the service ran the dummy verification.
vi.mock("./password.ts", { spy: true });

let handle: TestDatabase;
let db: Database;
beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});
beforeEach(() => {
  vi.mocked(dummyVerify).mockClear();
});

const storedHash = async (userId: string) => {
  const [row] = await db.select({ passwordHash: users.passwordHash, passwordChangedAt: users.passwordChangedAt }).from(users).where(eq(users.id, userId));
  if (!row) throw new Error("user row missing");
  return row;
};

async function registered(ctx = makeAuth(db)) {
  const email = uniqueEmail();
  const result = await ctx.auth.register({ email, password: PASSWORD, displayName: "Ada" }, META);
  return { ...ctx, ...result, email };
}

describe("register", () => {
  it("creates the user with a normalized email and a first session", async () => {
    const { auth } = makeAuth(db);
    const email = uniqueEmail();
    const { user, tokens } = await auth.register({ email: `  ${email.toUpperCase()} `, password: PASSWORD, displayName: "Ada" }, META);
    expect(Object.keys(user).sort()).toEqual(["createdAt", "displayName", "email", "id", "role"]);
    expect(user).toMatchObject({ email, displayName: "Ada", role: "user" });
    const claims = await auth.verifyAccessToken(tokens.accessToken);
    expect(claims.userId).toBe(user.id);
    const [session] = await db.select({ familyId: refreshTokens.familyId }).from(refreshTokens).where(eq(refreshTokens.userId, user.id));
    expect(claims.sessionId).toBe(session?.familyId);
    const { passwordHash } = await storedHash(user.id);
    expect(passwordHash).toMatch(ARGON2ID_DEFAULT_PARAMS);
    await expect(auth.me(user.id)).resolves.toEqual(user);
  });

  it("refuses an email that is already registered, in any case or spacing", async () => {
    const { auth, email } = await registered();
    const err = await rejectionOf(auth.register({ email: ` ${email.toUpperCase()}`, password: PASSWORD, displayName: "Eve" }, META));
    expect(err).toMatchObject({ code: "CONFLICT", message: "Email already registered" });
    expect((err as Error).cause).toBeDefined();
  });

  it("lets exactly one of two racing sign-ups win", async () => {
    const { auth } = makeAuth(db);
    const email = uniqueEmail();
    const results = await Promise.allSettled([
      auth.register({ email, password: PASSWORD, displayName: "A" }, META),
      auth.register({ email, password: PASSWORD, displayName: "B" }, META),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.reason).toMatchObject({ code: "CONFLICT" });
  });

  it("enforces the password length policy", async () => {
    const { auth } = makeAuth(db);
    const email = uniqueEmail();
    for (const password of ["short77", "x".repeat(257)]) {
      expect(await rejectionOf(auth.register({ email, password, displayName: "A" }, META))).toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(await db.select({ id: users.id }).from(users).where(eq(users.email, email))).toHaveLength(0);
    await expect(auth.register({ email, password: "x".repeat(256), displayName: "A" }, META)).resolves.toBeDefined();
  });
});

describe("login", () => {
  it("logs in with any casing of the email and starts a separate session", async () => {
    const { auth, email, user, tokens } = await registered();
    const result = await auth.login({ email: email.toUpperCase(), password: PASSWORD }, META);
    expect(result.user).toEqual(user);
    const first = await auth.verifyAccessToken(tokens.accessToken);
    const second = await auth.verifyAccessToken(result.tokens.accessToken);
    expect(second.userId).toBe(user.id);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it("gives an unknown email and a wrong password the same error, and verifies a dummy hash for the unknown email", async () => {
    const { auth, email } = await registered();
    vi.mocked(dummyVerify).mockClear();
    const wrongPassword = await rejectionOf(auth.login({ email, password: "wrong password" }, META));
    expect(dummyVerify).not.toHaveBeenCalled();
    const unknownEmail = await rejectionOf(auth.login({ email: uniqueEmail(), password: "wrong password" }, META));
    expect(dummyVerify).toHaveBeenCalledTimes(1);
    expect(wrongPassword).toEqual(unknownEmail);
    expect(wrongPassword).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid email or password", details: undefined });
  });

  it("throttles an account after 5 failures, even for the right password", async () => {
    const { auth, email } = await registered();
    for (let i = 0; i < 5; i++) await rejectionOf(auth.login({ email, password: "wrong password" }, META));
    const err = await rejectionOf(auth.login({ email, password: PASSWORD }, META));
    expect(err).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect((err as { details?: { retryAfterMs?: number } }).details?.retryAfterMs).toBeGreaterThan(0);
  });

  it("records unknown-email failures against the IP", async () => {
    const { auth } = makeAuth(db, { throttle: createLoginThrottle({ perIp: { points: 3, durationSec: 60 } }) });
    for (let i = 0; i < 3; i++) await rejectionOf(auth.login({ email: uniqueEmail(), password: "wrong password" }, META));
    expect(await rejectionOf(auth.login({ email: uniqueEmail(), password: PASSWORD }, META))).toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("upgrades a hash made with weaker parameters on a successful login", async () => {
    const { auth } = makeAuth(db);
    const email = uniqueEmail();
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const [row] = await db.insert(users).values({ email, passwordHash: weak, displayName: "Old" }).returning({ id: users.id });
    await auth.login({ email, password: PASSWORD }, META);
    const { passwordHash } = await storedHash(row!.id);
    expect(passwordHash).not.toBe(weak);
    expect(passwordHash).toMatch(ARGON2ID_DEFAULT_PARAMS);
    await expect(auth.login({ email, password: PASSWORD }, META)).resolves.toBeDefined();
  });

  it("leaves a current hash alone", async () => {
    const { auth, email, user } = await registered();
    const before = await storedHash(user.id);
    await auth.login({ email, password: PASSWORD }, META);
    expect(await storedHash(user.id)).toEqual(before);
  });
});

describe("logout", () => {
  it("revokes only the token's session and is idempotent", async () => {
    const { auth, email, tokens } = await registered();
    const other = await auth.login({ email, password: PASSWORD }, META);
    await auth.logout(tokens.refreshToken);
    expect(await rejectionOf(auth.refresh(tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    await expect(auth.logout(tokens.refreshToken)).resolves.toBeUndefined();
    await expect(auth.logout("never-issued")).resolves.toBeUndefined();
    await expect(auth.refresh(other.tokens.refreshToken, META)).resolves.toBeDefined();
  });

  it("revokes the whole family, including tokens rotated after the one presented", async () => {
    const { auth, tokens } = await registered();
    const next = await auth.refresh(tokens.refreshToken, META);
    await auth.logout(tokens.refreshToken);
    expect(await rejectionOf(auth.refresh(next.tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("logoutAll revokes every session of the user and no one else's", async () => {
    const { auth, email, user, tokens } = await registered();
    const second = await auth.login({ email, password: PASSWORD }, META);
    const bystander = await registered(makeAuth(db));
    await auth.logoutAll(user.id);
    for (const t of [tokens, second.tokens]) {
      expect(await rejectionOf(auth.refresh(t.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(bystander.auth.refresh(bystander.tokens.refreshToken, META)).resolves.toBeDefined();
  });

  it("without a revocation set, a revoked session's access token verifies until it expires", async () => {
    const { auth, tokens, user } = await registered();
    await auth.logout(tokens.refreshToken);
    await expect(auth.verifyAccessToken(tokens.accessToken)).resolves.toMatchObject({ userId: user.id });
    expect(await rejectionOf(auth.verifyAccessToken("not.a.token"))).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("with revocation sets, a revoked session's access token is refused at once here and, after its NOTIFY, by another process", async () => {
    const here = await startSessionRevocations({ db, listen: handle.listen });
    const elsewhere = await startSessionRevocations({ db, listen: handle.listen });
    try {
      const { auth, tokens, email, user } = await registered(makeAuth(db, { revocations: here }));
      const second = await auth.login({ email, password: PASSWORD }, META);
      const { sessionId } = await auth.verifyAccessToken(tokens.accessToken);
      await auth.logout(tokens.refreshToken, META);
      expect(await rejectionOf(auth.verifyAccessToken(tokens.accessToken))).toMatchObject({ code: "UNAUTHORIZED", message: "This session has ended; sign in again" });
      await expect(auth.verifyAccessToken(second.tokens.accessToken)).resolves.toMatchObject({ userId: user.id });
      await vi.waitFor(() => expect(elsewhere.isRevoked(sessionId)).toBe(true), { timeout: 5000 });
      // Rows, not only messages: a process that starts now loads it.
      const late = await startSessionRevocations({ db, listen: handle.listen });
      expect(late.isRevoked(sessionId)).toBe(true);
      await late.close();
      const [row] = await db.select().from(sessionRevocations).where(eq(sessionRevocations.familyId, sessionId));
      expect(row).toMatchObject({ userId: user.id });
      expect(row!.expiresAt.getTime() - row!.revokedAt.getTime()).toBe(900_000);
      // The maintenance sweep keeps it while its access tokens may live, then forgets it.
      expect(await pruneSessionRevocations(db, { before: row!.revokedAt })).toBe(0);
      expect(await pruneSessionRevocations(db, { before: new Date(row!.expiresAt.getTime() + 1) })).toBeGreaterThanOrEqual(1);
      expect(await db.select().from(sessionRevocations).where(eq(sessionRevocations.familyId, sessionId))).toEqual([]);
    } finally {
      await here.close();
      await elsewhere.close();
    }
  });
});

describe("changePassword", () => {
  it("replaces the password and revokes every other session, keeping the current one", async () => {
    const { auth, email, user, tokens, clock } = await registered();
    const other = await auth.login({ email, password: PASSWORD }, META);
    const { sessionId } = await auth.verifyAccessToken(tokens.accessToken);
    const before = await storedHash(user.id);
    clock.advance(1_000);

    await auth.changePassword(user.id, { currentPassword: PASSWORD, newPassword: "a brand new secret" }, sessionId);

    const after = await storedHash(user.id);
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(after.passwordChangedAt).toEqual(clock.now());
    await expect(auth.refresh(tokens.refreshToken, META)).resolves.toBeDefined();
    expect(await rejectionOf(auth.refresh(other.tokens.refreshToken, META))).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await rejectionOf(auth.login({ email, password: PASSWORD }, META))).toMatchObject({ code: "UNAUTHORIZED" });
    await expect(auth.login({ email, password: "a brand new secret" }, META)).resolves.toBeDefined();
  });

  it("refuses a wrong current password and a new password outside the policy, changing nothing", async () => {
    const { auth, user, tokens } = await registered();
    const { sessionId } = await auth.verifyAccessToken(tokens.accessToken);
    const before = await storedHash(user.id);
    expect(await rejectionOf(auth.changePassword(user.id, { currentPassword: "not my password", newPassword: "a brand new secret" }, sessionId))).toMatchObject({
      code: "BAD_REQUEST",
      details: { field: "currentPassword" },
      message: "Current password is incorrect",
    });
    expect(await rejectionOf(auth.changePassword(user.id, { currentPassword: PASSWORD, newPassword: "short" }, sessionId))).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await storedHash(user.id)).toEqual(before);
  });
});

describe("me", () => {
  it("returns the public user, or UNAUTHORIZED once the account is gone", async () => {
    const { auth, user } = await registered();
    await expect(auth.me(user.id)).resolves.toEqual(user);
    expect(await rejectionOf(auth.me("00000000-0000-4000-8000-000000000000"))).toMatchObject({ code: "UNAUTHORIZED" });
  });
});
