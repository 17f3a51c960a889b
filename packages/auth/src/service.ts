import {
  isUniqueViolation,
  isUserReferenceViolation,
  recordSecurityEvent,
  redeemStreamTicket,
  users,
  type Database,
  type SecurityEventInput,
} from "@companion/db";
import { DomainError } from "@companion/errors";
import { and, eq } from "drizzle-orm";
import {
  dummyVerify,
  hashPassword,
  normalizeEmail,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordLength,
  verifyPassword,
} from "./password.ts";
import { createDeviceTokens } from "./device-tokens.ts";
import {
  DEFAULT_REFRESH_GRACE_MS,
  findSessionOfToken,
  revokeFamily,
  revokeUserSessionFamilies,
  rotateRefreshToken,
  startRefreshFamily,
  type IssuedRefreshToken,
  type RequestMeta,
} from "./refresh-tokens.ts";
import { createLoginThrottle, type LoginThrottle } from "./throttle.ts";
import type { SessionRevocations } from "./revocations.ts";
import { ACCESS_TOKEN_TTL_SECONDS, type AccessTokenClaims, type AccessTokenService, type Role } from "./tokens.ts";

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: Date;
}

export interface AuthTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface AuthServiceDeps {
  db: Database;
  tokens: AccessTokenService;
  /** HMAC key for deriving rotated refresh tokens; at least 32 bytes, kept secret like the JWT keys. */
  refreshPepper: Uint8Array;
  throttle?: LoginThrottle;
  /**
   * The revoked sessions this process refuses (startSessionRevocations). Without it access tokens are
   * checked statelessly and a revoked session's tokens work until they expire (tests of other parts).
   */
  revocations?: Pick<SessionRevocations, "isRevoked" | "add">;
  refreshGraceMs?: number;
  now?: () => Date;
}

export type AuthService = ReturnType<typeof createAuthService>;

const publicUserColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  createdAt: users.createdAt,
};

/** Throttled (account, IP, limit) keys whose first refusal was logged; at most this many per process. */
const THROTTLE_LOG_KEYS = 10_000;
const INVALID_CREDENTIALS = "Invalid email or password";
const SESSION_ENDED = "This session has ended; sign in again";
const ACCOUNT_DISABLED = "Account disabled";
// An access token outlives an account deleted meanwhile: its holder is not signed in as anyone.
const accountGone = () => new DomainError("UNAUTHORIZED", "This account no longer exists");

/**
 * Registration, login, refresh-token rotation and session revocation. Every method is a plain
 * function of its inputs, so the API layer, admin scripts and tests all call the same rules.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { db, tokens, refreshPepper } = deps;
  const throttle = deps.throttle ?? createLoginThrottle();
  const graceMs = deps.refreshGraceMs ?? DEFAULT_REFRESH_GRACE_MS;
  const now = deps.now ?? (() => new Date());
  if (refreshPepper.byteLength < 32) throw new Error("refreshPepper must be at least 32 bytes");
  const devices = createDeviceTokens(refreshPepper, now);
  const revocations = deps.revocations;

  /** This process refuses the sessions at once; the others when the revocation's NOTIFY reaches them. */
  const refuseLocally = (familyIds: readonly string[], at: Date) =>
    revocations?.add(familyIds, new Date(at.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000));
  const securityEvent = (event: SecurityEventInput, meta?: RequestMeta) =>
    recordSecurityEvent(db, { ...event, ip: meta?.ip ?? null, userAgent: meta?.userAgent ?? null });
  // A throttled client that keeps trying is logged once per account, IP and limit until the
  // limit lifts, not once per attempt: the log must not grow at the attacker's request rate.
  const throttleLogged = new Map<string, number>();
  const firstThrottle = (key: string, retryAfterMs: number): boolean => {
    const at = now().getTime();
    if ((throttleLogged.get(key) ?? 0) > at) return false;
    if (throttleLogged.size >= THROTTLE_LOG_KEYS) {
      for (const [k, until] of throttleLogged) if (until <= at) throttleLogged.delete(k);
      if (throttleLogged.size >= THROTTLE_LOG_KEYS) throttleLogged.clear();
    }
    throttleLogged.set(key, at + retryAfterMs);
    return true;
  };

  async function issueTokens(refresh: IssuedRefreshToken, role: Role): Promise<AuthTokens> {
    // jti and iat come from the refresh row, so re-issuing for the same row yields the same token.
    const access = await tokens.sign({
      userId: refresh.userId,
      sessionId: refresh.familyId,
      role,
      jti: refresh.id,
      issuedAt: refresh.createdAt,
    });
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt,
    };
  }

  return {
    async register(
      input: { email: string; password: string; displayName: string },
      meta: RequestMeta,
    ): Promise<{ user: PublicUser; tokens: AuthTokens; deviceToken: string }> {
      assertPasswordPolicy(input.password);
      const passwordHash = await hashPassword(input.password);
      try {
        const { user, refresh } = await db.transaction(async (tx) => {
          const [user] = await tx
            .insert(users)
            .values({ email: normalizeEmail(input.email), passwordHash, displayName: input.displayName })
            .returning(publicUserColumns);
          if (!user) throw new Error("Inserting a user returned no row");
          const refresh = await startRefreshFamily(tx, { userId: user.id, meta, now: now() });
          return { user, refresh };
        });
        return { user, tokens: await issueTokens(refresh, user.role), deviceToken: devices.issue(user.id) };
      } catch (err) {
        // The unique index decides, so two racing sign-ups cannot both win.
        if (isUniqueViolation(err, "users_email_key")) {
          throw new DomainError("CONFLICT", "Email already registered", undefined, { cause: err });
        }
        throw err;
      }
    },

    /**
     * Throttled per docs/auth.md#throttling: a valid `deviceToken` of the account (from an earlier
     * login on this device) is held to its own per-device limit only, so that neither failures of an
     * attacker on the account nor of neighbours on a shared IP can keep the owner out.
     */
    async login(
      input: { email: string; password: string; deviceToken?: string | undefined },
      meta: RequestMeta,
    ): Promise<{ user: PublicUser; tokens: AuthTokens; deviceToken: string }> {
      const email = normalizeEmail(input.email);
      const [found] = await db
        .select({ ...publicUserColumns, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
        .from(users)
        .where(eq(users.email, email));
      const deviceId = found ? devices.verify(input.deviceToken, found.id) : null;
      const attempt = { account: email, ip: meta.ip, deviceId };
      const userId = found?.id ?? null;
      try {
        await throttle.check(attempt);
      } catch (err) {
        const limit = err instanceof DomainError ? err.details?.limit : undefined;
        const retryAfterMs = err instanceof DomainError ? Number(err.details?.retryAfterMs ?? 0) : 0;
        if (err instanceof DomainError && err.code === "TOO_MANY_REQUESTS" && firstThrottle(`${userId ?? "-"}|${meta.ip ?? "-"}|${String(limit)}`, retryAfterMs)) {
          await securityEvent({ userId, kind: "login_throttled", detail: { limit: err.details?.limit ?? null, device: deviceId !== null } }, meta);
        }
        throw err;
      }
      const fail = async (): Promise<never> => {
        await throttle.recordFailure(attempt);
        // Never the email: an unknown account's failure is recorded without anyone to list it for.
        await securityEvent({ userId, kind: "login_failed", detail: { device: deviceId !== null } }, meta);
        throw new DomainError("UNAUTHORIZED", INVALID_CREDENTIALS);
      };
      // No stored password can be this long, and hashing it would cost us more than it costs the caller.
      if (passwordLength(input.password) > PASSWORD_MAX) return fail();
      if (!found) {
        await dummyVerify(input.password);
        return fail();
      }
      const { passwordHash, disabledAt, ...user } = found;
      const check = await verifyPassword(passwordHash, input.password);
      if (!check.ok) return fail();
      await throttle.recordSuccess(attempt);
      // Only after the password checked out, so the answer tells a guesser nothing about the account.
      if (disabledAt) throw new DomainError("FORBIDDEN", ACCOUNT_DISABLED);

      if (check.needsRehash) {
        const upgraded = await hashPassword(input.password);
        // Matching on the old hash leaves a password changed meanwhile untouched.
        await db
          .update(users)
          .set({ passwordHash: upgraded })
          .where(and(eq(users.id, user.id), eq(users.passwordHash, passwordHash)));
      }
      const refresh = await startRefreshFamily(db, { userId: user.id, meta, now: now() });
      return { user, tokens: await issueTokens(refresh, user.role), deviceToken: devices.issue(user.id, deviceId) };
    },

    async refresh(refreshToken: string, meta: RequestMeta): Promise<{ tokens: AuthTokens }> {
      const result = await rotateRefreshToken(db, { token: refreshToken, pepper: refreshPepper, graceMs, meta, now });
      // Thrown only here, after the transaction (and any family revocation) has committed.
      if (result.kind === "reused") {
        refuseLocally([result.familyId], result.revokedAt);
        await securityEvent({ userId: result.userId, kind: "refresh_reuse", detail: { sessionId: result.familyId } }, meta);
        throw new DomainError("UNAUTHORIZED", "Refresh token reuse detected; session revoked");
      }
      if (result.kind === "invalid") throw new DomainError("UNAUTHORIZED", "Invalid or expired refresh token");
      // UNAUTHORIZED, not FORBIDDEN: the session is over, and clients drop their tokens on UNAUTHORIZED.
      if (result.kind === "disabled") throw new DomainError("UNAUTHORIZED", ACCOUNT_DISABLED);
      return { tokens: await issueTokens(result.child, result.role) };
    },

    /** Ends the session the token belongs to. Unknown tokens are ignored, so a retried logout succeeds. */
    async logout(refreshToken: string, meta?: RequestMeta): Promise<void> {
      const session = await findSessionOfToken(db, refreshToken);
      if (!session) return;
      const at = now();
      await revokeFamily(db, session.familyId, at);
      refuseLocally([session.familyId], at);
      await securityEvent({ userId: session.userId, kind: "session_revoked", detail: { sessionId: session.familyId } }, meta);
    },

    async logoutAll(userId: string, meta?: RequestMeta): Promise<void> {
      const at = now();
      const revoked = await revokeUserSessionFamilies(db, userId, { now: at });
      refuseLocally(revoked, at);
      await securityEvent({ userId, kind: "sessions_revoked", detail: { sessions: revoked.length } }, meta);
    },

    /**
     * Replaces the password and ends every other session, their access tokens included (refused
     * at once on every process). A wrong current password is BAD_REQUEST on `currentPassword`,
     * never UNAUTHORIZED, which a client takes for an expired token (refresh and retry).
     */
    async changePassword(
      userId: string,
      input: { currentPassword: string; newPassword: string },
      currentSessionId: string,
      meta?: RequestMeta,
    ): Promise<void> {
      assertPasswordPolicy(input.newPassword);
      const [found] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
      if (!found) throw accountGone();
      if (passwordLength(input.currentPassword) > PASSWORD_MAX || !(await verifyPassword(found.passwordHash, input.currentPassword)).ok) {
        throw new DomainError("BAD_REQUEST", "Current password is incorrect", { field: "currentPassword" });
      }
      const passwordHash = await hashPassword(input.newPassword);
      const at = now();
      const revoked = await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash, passwordChangedAt: at, updatedAt: at }).where(eq(users.id, userId));
        const families = await revokeUserSessionFamilies(tx, userId, { exceptFamilyId: currentSessionId, now: at });
        await recordSecurityEvent(tx, {
          userId,
          kind: "password_changed",
          ip: meta?.ip ?? null,
          userAgent: meta?.userAgent ?? null,
          detail: { sessionsRevoked: families.length },
        });
        return families;
      });
      refuseLocally(revoked, at);
    },

    async me(userId: string): Promise<PublicUser> {
      const [user] = await db.select(publicUserColumns).from(users).where(eq(users.id, userId));
      if (!user) throw accountGone();
      return user;
    },

    /**
     * No database read per request: the signature, then one lookup of the session in this
     * process's set of revoked sessions (docs/auth.md#revocation).
     */
    async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
      const { userId, sessionId, role } = await tokens.verify(token);
      if (revocations?.isRevoked(sessionId)) throw new DomainError("UNAUTHORIZED", SESSION_ENDED);
      return { userId, sessionId, role };
    },

    /** A single-use ticket for one SSE connection (see AccessTokenService.signStreamTicket). */
    async issueStreamTicket(claims: AccessTokenClaims): Promise<{ ticket: string; expiresAt: Date }> {
      const { ticket, expiresAt } = await tokens.signStreamTicket(claims);
      return { ticket, expiresAt };
    },

    /** The ticket's claims, once: a second use, even from another process, is UNAUTHORIZED. */
    async redeemStreamTicket(ticket: string): Promise<AccessTokenClaims> {
      const { userId, sessionId, role, jti, expiresAt } = await tokens.verifyStreamTicket(ticket);
      if (revocations?.isRevoked(sessionId)) throw new DomainError("UNAUTHORIZED", SESSION_ENDED);
      const first = await redeemStreamTicket(db, { jti, userId, expiresAt }).catch((err: unknown) => {
        // The user was deleted since the ticket was signed (the foreign key refuses the row).
        if (isUserReferenceViolation(err)) throw new DomainError("UNAUTHORIZED", "Invalid or expired stream ticket");
        throw err;
      });
      if (!first) throw new DomainError("UNAUTHORIZED", "This stream ticket was already used; ask for a new one");
      return { userId, sessionId, role };
    },
  };
}

function assertPasswordPolicy(password: string): void {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new DomainError("BAD_REQUEST", `Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, {
      field: "password",
    });
  }
}
