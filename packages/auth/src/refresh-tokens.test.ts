import { refreshTokens, type Database } from "@companion/db";
import { createTestDatabase, type TestDatabase } from "@companion/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Clock, makeAuth, META, PASSWORD, rejectionOf, uniqueEmail } from "../test/helpers.ts";
import { hashRefreshToken, REFRESH_TOKEN_TTL_MS } from "./refresh-tokens.ts";

let handle: TestDatabase;
let db: Database;
beforeAll(async () => {
  // Enough connections that concurrent refreshes really run in parallel on Postgres.
  handle = await createTestDatabase({ poolSize: 12 });
  db = handle.db;
});
afterAll(async () => {
  await handle.close();
});

async function familyRows(familyId: string) {
  return db
    .select({
      id: refreshTokens.id,
      parentId: refreshTokens.parentId,
      tokenHash: refreshTokens.tokenHash,
      usedAt: refreshTokens.usedAt,
      revokedAt: refreshTokens.revokedAt,
      userAgent: refreshTokens.userAgent,
      ip: refreshTokens.ip,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, familyId))
    .orderBy(asc(refreshTokens.createdAt));
}

async function startSession(options: Parameters<typeof makeAuth>[1] = {}) {
  const ctx = makeAuth(db, options);
  const { user, tokens } = await ctx.auth.register({ email: uniqueEmail(), password: PASSWORD, displayName: "R" }, META);
  const { sessionId } = await ctx.auth.verifyAccessToken(tokens.accessToken);
  return { ...ctx, user, tokens, sessionId };
}

const REUSE = { code: "UNAUTHORIZED", message: "Refresh token reuse detected; session revoked" };
const INVALID = { code: "UNAUTHORIZED", message: "Invalid or expired refresh token" };

describe("refresh token storage", () => {
  it("stores only a SHA-256 hash of 256-bit tokens", async () => {
    const { auth, tokens, sessionId } = await startSession();
    const { tokens: next } = await auth.refresh(tokens.refreshToken, META);
    for (const raw of [tokens.refreshToken, next.refreshToken]) {
      expect(raw).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(Buffer.from(raw, "base64url").byteLength).toBeGreaterThanOrEqual(32);
    }
    const rows = await familyRows(sessionId);
    expect(rows.map((r) => r.tokenHash)).toEqual([hashRefreshToken(tokens.refreshToken), hashRefreshToken(next.refreshToken)]);
    for (const row of rows) {
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect([tokens.refreshToken, next.refreshToken]).not.toContain(row.tokenHash);
    }
    expect(rows[0]).toMatchObject({ ip: META.ip, userAgent: META.userAgent });
  });
});

describe("refresh rotation", () => {
  it("returns a new pair, links the child to its parent and keeps the session id", async () => {
    const { auth, tokens, sessionId, user, clock } = await startSession();
    clock.advance(1_000);
    const { tokens: next } = await auth.refresh(tokens.refreshToken, META);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect(next.refreshTokenExpiresAt.getTime()).toBe(clock.now().getTime() + REFRESH_TOKEN_TTL_MS);
    expect(await auth.verifyAccessToken(next.accessToken)).toEqual({ userId: user.id, sessionId, role: "user" });

    const [parent, child] = await familyRows(sessionId);
    expect(parent?.usedAt).toEqual(clock.now());
    expect(child).toMatchObject({ parentId: parent?.id, usedAt: null, revokedAt: null });
    // The child is usable in turn.
    await expect(auth.refresh(next.refreshToken, META)).resolves.toBeDefined();
  });

  it("answers a replay of the parent inside the grace window with the identical pair", async () => {
    const { auth, tokens, sessionId, clock } = await startSession();
    const first = await auth.refresh(tokens.refreshToken, META);
    clock.advance(20_000);
    const replay = await auth.refresh(tokens.refreshToken, META);
    expect(replay).toEqual(first);
    expect(await familyRows(sessionId)).toHaveLength(2);
    await expect(auth.refresh(first.tokens.refreshToken, META)).resolves.toBeDefined();
  });

  it("treats a replay after the grace window as reuse and revokes the whole family", async () => {
    const { auth, tokens, sessionId, clock } = await startSession();
    const first = await auth.refresh(tokens.refreshToken, META);
    clock.advance(30_001);
    expect(await rejectionOf(auth.refresh(tokens.refreshToken, META))).toMatchObject(REUSE);
    // The revocation committed although the call failed.
    const rows = await familyRows(sessionId);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.revokedAt).toEqual(clock.now());
    expect(await rejectionOf(auth.refresh(first.tokens.refreshToken, META))).toMatchObject(REUSE);
  });

  it("honours a configured grace window", async () => {
    const { auth, tokens, clock } = await startSession({ refreshGraceMs: 5_000 });
    await auth.refresh(tokens.refreshToken, META);
    clock.advance(5_001);
    expect(await rejectionOf(auth.refresh(tokens.refreshToken, META))).toMatchObject(REUSE);
  });

  it("treats a replay as reuse once the child has itself been rotated, even inside the grace window", async () => {
    const { auth, tokens, sessionId } = await startSession();
    const first = await auth.refresh(tokens.refreshToken, META);
    const second = await auth.refresh(first.tokens.refreshToken, META);
    expect(await rejectionOf(auth.refresh(tokens.refreshToken, META))).toMatchObject(REUSE);
    expect(await rejectionOf(auth.refresh(second.tokens.refreshToken, META))).toMatchObject(REUSE);
    for (const row of await familyRows(sessionId)) expect(row.revokedAt).not.toBeNull();
  });

  it("gives 10 concurrent refreshes of one token the identical pair without revoking the family", async () => {
    const { auth, tokens, sessionId } = await startSession();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.refresh(tokens.refreshToken, META)));
    const pairs = results.map((r) => {
      if (r.status === "rejected") throw r.reason;
      return r.value;
    });
    for (const pair of pairs) expect(pair).toEqual(pairs[0]);
    const rows = await familyRows(sessionId);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.revokedAt).toBeNull();
    await expect(auth.refresh(pairs[0]!.tokens.refreshToken, META)).resolves.toBeDefined();
  });

  it("rejects an expired token without revoking the family", async () => {
    const { auth, tokens, sessionId, clock } = await startSession();
    clock.advance(REFRESH_TOKEN_TTL_MS);
    expect(await rejectionOf(auth.refresh(tokens.refreshToken, META))).toMatchObject(INVALID);
    for (const row of await familyRows(sessionId)) expect(row.revokedAt).toBeNull();
  });

  it("rejects unknown tokens and access tokens", async () => {
    const { auth, tokens } = await startSession();
    expect(await rejectionOf(auth.refresh("A".repeat(43), META))).toMatchObject(INVALID);
    expect(await rejectionOf(auth.refresh(tokens.accessToken, META))).toMatchObject(INVALID);
  });

  it("derives children with the service's pepper, so another pepper cannot replay into the family", async () => {
    const clock = new Clock();
    const { auth, tokens, sessionId } = await startSession({ clock });
    await auth.refresh(tokens.refreshToken, META);
    const other = makeAuth(db, { clock }).auth;
    expect(await rejectionOf(other.refresh(tokens.refreshToken, META))).toMatchObject(REUSE);
    for (const row of await familyRows(sessionId)) expect(row.revokedAt).not.toBeNull();
  });
});
