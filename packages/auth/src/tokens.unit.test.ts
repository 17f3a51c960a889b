import { randomBytes } from "node:crypto";
import { DomainError } from "@companion/errors";
import { decodeProtectedHeader, SignJWT, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { generateRefreshToken } from "./refresh-tokens.ts";
import { createAccessTokenService, jwtKeyFromSecret, parseJwtKeys, type JwtKey } from "./tokens.ts";

const key = (kid: string): JwtKey => ({ kid, secret: new Uint8Array(randomBytes(32)) });
const k1 = key("k1");
const k2 = key("k2");
const options = { keys: [k1], issuer: "companion", audience: "companion-api" };
const service = createAccessTokenService(options);
const claims = { userId: "00000000-0000-4000-8000-000000000001", sessionId: "00000000-0000-4000-8000-000000000002", role: "user" as const };

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const nowSec = () => Math.floor(Date.now() / 1000);

/** A token like ours, with any header or claim overridden. */
function craft(overrides: { header?: Record<string, unknown>; payload?: JWTPayload; alg?: string; secret?: Uint8Array } = {}) {
  const alg = overrides.alg ?? "HS256";
  return new SignJWT({ sid: claims.sessionId, role: "user", ...overrides.payload })
    .setProtectedHeader({ alg, kid: "k1", typ: "at+jwt", ...overrides.header })
    .setSubject(claims.userId)
    .setIssuer(String(overrides.payload?.iss ?? "companion"))
    .setAudience(overrides.payload?.aud ?? "companion-api")
    .setIssuedAt()
    .setExpirationTime(overrides.payload?.exp ?? nowSec() + 600)
    .setJti("jti-1")
    .sign(overrides.secret ?? k1.secret);
}

async function expectRejected(token: string, svc = service) {
  const err: unknown = await svc.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect(err).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid or expired access token" });
  expect((err as Error).cause).toBeDefined();
}

describe("access tokens", () => {
  it("round-trips claims with the pinned header", async () => {
    const { token, expiresAt } = await service.sign(claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", kid: "k1", typ: "at+jwt" });
    const verified = await service.verify(token);
    expect(verified).toEqual({ ...claims, expiresAt });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it("signs deterministically given jti and issuedAt", async () => {
    const issuedAt = new Date();
    const a = await service.sign({ ...claims, jti: "fixed", issuedAt });
    const b = await service.sign({ ...claims, jti: "fixed", issuedAt });
    expect(a).toEqual(b);
    const c = await service.sign({ ...claims, issuedAt });
    expect(c.token).not.toBe(a.token);
  });

  it("accepts a token crafted like ours (so the negative cases below test one thing each)", async () => {
    await expect(service.verify(await craft())).resolves.toMatchObject(claims);
  });

  it("rejects alg none", async () => {
    const payload = { sub: claims.userId, sid: claims.sessionId, role: "user", iss: "companion", aud: "companion-api", exp: nowSec() + 600 };
    await expectRejected(`${b64url({ alg: "none", kid: "k1", typ: "at+jwt" })}.${b64url(payload)}.`);
  });

  it("rejects another algorithm signed with the same secret", async () => {
    await expectRejected(await craft({ alg: "HS512" }));
  });

  it("rejects a tampered payload", async () => {
    const { token } = await service.sign(claims);
    const [header, payload, signature] = token.split(".");
    const original = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as JWTPayload;
    const forged = { ...original, role: "admin" };
    await expectRejected(`${header}.${b64url(forged)}.${signature}`);
  });

  it("rejects an expired token", async () => {
    const { token } = await service.sign({ ...claims, issuedAt: new Date(Date.now() - 901_000) });
    await expectRejected(token);
  });

  it("still expires a token it has verified before (verified tokens are remembered)", async () => {
    let clock = Date.now();
    const timed = createAccessTokenService({ ...options, ttlSeconds: 60, now: () => new Date(clock) });
    const { token, expiresAt } = await timed.sign(claims);
    expect(await timed.verify(token)).toEqual({ ...claims, expiresAt });
    clock = expiresAt.getTime() - 1;
    expect(await timed.verify(token)).toEqual({ ...claims, expiresAt });
    clock = expiresAt.getTime();
    await expect(timed.verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Invalid or expired access token" });
    // Another service (other keys) never sees this one's remembered tokens.
    await expect(createAccessTokenService({ ...options, keys: [k2] }).verify(token)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("rejects wrong audience, issuer and typ", async () => {
    await expectRejected(await craft({ payload: { aud: "someone-else" } }));
    await expectRejected(await craft({ payload: { iss: "someone-else" } }));
    await expectRejected(await craft({ header: { typ: "JWT" } }));
  });

  it("rejects an unknown or missing kid", async () => {
    await expectRejected(await craft({ header: { kid: "k9" } }));
    await expectRejected(await craft({ header: { kid: undefined } }));
  });

  it("rejects missing sid and a bad role", async () => {
    await expectRejected(await craft({ payload: { sid: undefined } }));
    await expectRejected(await craft({ payload: { role: "root" } }));
  });

  it("rejects a refresh token presented as an access token", async () => {
    await expectRejected(generateRefreshToken());
  });

  it("verifies tokens of a retired key while it is loaded, and rejects them once it is removed", async () => {
    const { token } = await createAccessTokenService({ ...options, keys: [k1] }).sign(claims);
    const rotated = createAccessTokenService({ ...options, keys: [k2, k1] });
    await expect(rotated.verify(token)).resolves.toMatchObject(claims);
    const fresh = await rotated.sign(claims);
    expect(decodeProtectedHeader(fresh.token).kid).toBe("k2");
    const retired = createAccessTokenService({ ...options, keys: [k2] });
    await expectRejected(token, retired);
    await expect(retired.verify(fresh.token)).resolves.toMatchObject(claims);
  });

  it("rejects a token signed with another secret under a known kid", async () => {
    await expectRejected(await craft({ secret: k2.secret }));
  });

  it("refuses short or duplicate keys", () => {
    expect(() => createAccessTokenService({ ...options, keys: [] })).toThrow(/at least one key/);
    expect(() => createAccessTokenService({ ...options, keys: [{ kid: "k", secret: new Uint8Array(31) }] })).toThrow(/31 bytes/);
    expect(() => createAccessTokenService({ ...options, keys: [k1, k1] })).toThrow(/Duplicate/);
  });
});

describe("parseJwtKeys", () => {
  const secret = (bytes: number) => randomBytes(bytes).toString("base64");

  it("parses kid:base64 pairs in order, standard or url-safe", () => {
    const a = randomBytes(32);
    const b = randomBytes(48);
    const keys = parseJwtKeys(` new:${a.toString("base64")} , old:${b.toString("base64url")}`);
    expect(keys.map((k) => k.kid)).toEqual(["new", "old"]);
    expect(Buffer.from(keys[0]!.secret).equals(a)).toBe(true);
    expect(Buffer.from(keys[1]!.secret).equals(b)).toBe(true);
  });

  it("throws on bad input", () => {
    expect(() => parseJwtKeys("")).toThrow(/empty/);
    expect(() => parseJwtKeys(secret(32))).toThrow(/kid:base64secret/);
    expect(() => parseJwtKeys(`:${secret(32)}`)).toThrow(/kid:base64secret/);
    expect(() => parseJwtKeys("k1:")).toThrow(/kid:base64secret/);
    expect(() => parseJwtKeys(`k1:${secret(31)}`)).toThrow(/31 bytes/);
    expect(() => parseJwtKeys(`k1:${secret(32)},k1:${secret(32)}`)).toThrow(/Duplicate/);
    expect(() => parseJwtKeys("k1:not base64 at all!!")).toThrow(/base64/);
  });

  it("never echoes the secret in an error", () => {
    const short = secret(16);
    let message = "";
    try {
      parseJwtKeys(`k1:${short}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/16 bytes/);
    expect(message).not.toContain(short);
  });
});

describe("jwtKeyFromSecret", () => {
  it("needs at least 32 characters", () => {
    expect(() => jwtKeyFromSecret("x".repeat(31))).toThrow(/32/);
    const k = jwtKeyFromSecret("x".repeat(32));
    expect(k.kid).toBe("k1");
    expect(k.secret.byteLength).toBe(32);
    expect(jwtKeyFromSecret("y".repeat(40), "main").kid).toBe("main");
  });
});
