import { randomUUID } from "node:crypto";
import type { users } from "@companion/db";
import { DomainError } from "@companion/errors";
import { jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";

export type Role = (typeof users.$inferSelect)["role"];

const ROLES: readonly Role[] = ["user", "admin"];
const ALG = "HS256";
const TYP = "at+jwt";
/** HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2). */
const MIN_KEY_BYTES = 32;
/** Verified access tokens kept per process (see `verified` below): ~10k live sessions. */
const VERIFIED_CACHE_SIZE = 10_000;
/**
 * The longest an access token lives. A revoked session is refused for this long after its
 * revocation (session_revocations.expires_at), so no service may sign longer-lived tokens.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 900;

export interface JwtKey {
  kid: string;
  secret: Uint8Array;
}

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  role: Role;
}

interface SignAccessTokenInput extends AccessTokenClaims {
  /** Given together with `issuedAt`, the token is byte-for-byte reproducible. */
  jti?: string;
  issuedAt?: Date;
}

export interface AccessTokenService {
  sign(input: SignAccessTokenInput): Promise<{ token: string; expiresAt: Date }>;
  /** Throws DomainError UNAUTHORIZED for anything but a valid, unexpired token of ours. */
  verify(token: string): Promise<AccessTokenClaims & { expiresAt: Date }>;
  /**
   * A stream ticket: the same claims for one SSE connection, valid for a minute, for clients
   * that cannot send a header (a browser's EventSource) and so put it in the URL. Its own
   * `typ` and audience: an access token is not a ticket, nor a ticket an access token.
   */
  signStreamTicket(claims: AccessTokenClaims): Promise<{ ticket: string; jti: string; expiresAt: Date }>;
  /** Checks the signature and expiry only; single use is the caller's (redeemStreamTicket). */
  verifyStreamTicket(ticket: string): Promise<AccessTokenClaims & { jti: string; expiresAt: Date }>;
}

const TICKET_TYP = "st+jwt";
const STREAM_TICKET_TTL_SECONDS = 60;

export interface AccessTokenServiceOptions {
  /** The first key signs; every key verifies, so a retired key can stay until its tokens expire. */
  keys: readonly JwtKey[];
  issuer: string;
  audience: string;
  ttlSeconds?: number;
  now?: () => Date;
}

/** Short-lived HS256 access tokens (`typ: at+jwt`), with key rotation by `kid`. */
export function createAccessTokenService(options: AccessTokenServiceOptions): AccessTokenService {
  const { keys, issuer, audience, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS, now = () => new Date() } = options;
  const [signingKey] = keys;
  if (!signingKey) throw new Error("createAccessTokenService needs at least one key");
  const byKid = new Map<string, Uint8Array>();
  for (const key of keys) {
    assertKey(key);
    if (byKid.has(key.kid)) throw new Error(`Duplicate JWT key id "${key.kid}"`);
    byKid.set(key.kid, key.secret);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > ACCESS_TOKEN_TTL_SECONDS) {
    throw new Error(`ttlSeconds must be a positive integer up to ${ACCESS_TOKEN_TTL_SECONDS} (session revocations are kept that long)`);
  }

  const getKey: JWTVerifyGetKey<Uint8Array> = (header) => {
    const secret = header.kid === undefined ? undefined : byKid.get(header.kid);
    if (!secret) throw new Error(`Unknown JWT key id "${String(header.kid)}"`);
    return secret;
  };

  // Tokens already verified: an app sends the same access token with every call until it
  // expires, and checking its MAC each time (a WebCrypto key import and HMAC, ~0.1 ms and
  // several event-loop hops) is the largest part of authenticating a request. The keys
  // only change with a restart, and the expiry is checked again on every hit. Oldest out
  // first once full.
  const verified = new Map<string, Readonly<AccessTokenClaims & { expiresAt: Date }>>();
  const remember = (token: string, claims: AccessTokenClaims & { expiresAt: Date }) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, claims);
  };

  return {
    async sign({ userId, sessionId, role, jti = randomUUID(), issuedAt = now() }) {
      const iat = Math.floor(issuedAt.getTime() / 1000);
      const exp = iat + ttlSeconds;
      const token = await new SignJWT({ sid: sessionId, role })
        .setProtectedHeader({ alg: ALG, kid: signingKey.kid, typ: TYP })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(signingKey.secret);
      return { token, expiresAt: new Date(exp * 1000) };
    },

    async signStreamTicket({ userId, sessionId, role }) {
      const jti = randomUUID();
      const iat = Math.floor(now().getTime() / 1000);
      const exp = iat + STREAM_TICKET_TTL_SECONDS;
      const ticket = await new SignJWT({ sid: sessionId, role })
        .setProtectedHeader({ alg: ALG, kid: signingKey.kid, typ: TICKET_TYP })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(`${audience}:stream`)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(signingKey.secret);
      return { ticket, jti, expiresAt: new Date(exp * 1000) };
    },

    async verifyStreamTicket(ticket) {
      try {
        const { payload } = await jwtVerify(ticket, getKey, {
          algorithms: [ALG],
          issuer,
          audience: `${audience}:stream`,
          typ: TICKET_TYP,
          requiredClaims: ["sub", "sid", "exp", "jti"],
          currentDate: now(),
        });
        const { sub, sid, role, exp, jti } = payload;
        if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number" || typeof jti !== "string" || !isRole(role)) {
          throw new Error("Stream ticket claims have the wrong shape");
        }
        return { userId: sub, sessionId: sid, role, jti, expiresAt: new Date(exp * 1000) };
      } catch (err) {
        throw new DomainError("UNAUTHORIZED", "Invalid or expired stream ticket", undefined, { cause: err });
      }
    },

    async verify(token) {
      const hit = verified.get(token);
      if (hit) {
        // Same expiry rule as jose: valid while now < exp.
        if (now().getTime() < hit.expiresAt.getTime()) return { ...hit };
        verified.delete(token);
        throw new DomainError("UNAUTHORIZED", "Invalid or expired access token");
      }
      try {
        const { payload } = await jwtVerify(token, getKey, {
          algorithms: [ALG],
          issuer,
          audience,
          typ: TYP,
          requiredClaims: ["sub", "sid", "exp"],
          currentDate: now(),
        });
        const { sub, sid, role, exp } = payload;
        if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number" || !isRole(role)) {
          throw new Error("Access token claims have the wrong shape");
        }
        const claims = { userId: sub, sessionId: sid, role, expiresAt: new Date(exp * 1000) };
        remember(token, claims);
        return { ...claims };
      } catch (err) {
        throw new DomainError("UNAUTHORIZED", "Invalid or expired access token", undefined, { cause: err });
      }
    },
  };
}

function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

function assertKey(key: JwtKey): void {
  if (!key.kid) throw new Error("A JWT key needs a non-empty kid");
  if (key.secret.byteLength < MIN_KEY_BYTES) {
    throw new Error(`JWT key "${key.kid}" is ${key.secret.byteLength} bytes; at least ${MIN_KEY_BYTES} are required`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/**
 * Parses `kid1:base64secret,kid2:base64secret` (standard or url-safe base64). The first key
 * signs. Throws on an empty list, a malformed entry, a duplicate kid or a secret under 32 bytes.
 */
export function parseJwtKeys(spec: string): JwtKey[] {
  const entries = spec
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) throw new Error("JWT key list is empty");
  const seen = new Set<string>();
  return entries.map((entry) => {
    const colon = entry.indexOf(":");
    const kid = colon === -1 ? "" : entry.slice(0, colon).trim();
    const encoded = colon === -1 ? "" : entry.slice(colon + 1).trim();
    if (!kid || !encoded) throw new Error(`JWT key entry must look like kid:base64secret (got "${kid || "?"}:…")`);
    if (!BASE64.test(encoded)) throw new Error(`JWT key "${kid}" is not valid base64`);
    if (seen.has(kid)) throw new Error(`Duplicate JWT key id "${kid}"`);
    seen.add(kid);
    // Node's base64 decoder also reads the url-safe alphabet.
    const key = { kid, secret: new Uint8Array(Buffer.from(encoded, "base64")) };
    assertKey(key);
    return key;
  });
}

/** A single key from a plain `JWT_SECRET` string of at least 32 characters. */
export function jwtKeyFromSecret(secret: string, kid = "k1"): JwtKey {
  if (secret.length < MIN_KEY_BYTES) throw new Error(`JWT_SECRET must be at least ${MIN_KEY_BYTES} characters`);
  const key = { kid, secret: new TextEncoder().encode(secret) };
  assertKey(key);
  return key;
}
