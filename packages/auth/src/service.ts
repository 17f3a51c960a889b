import { isUniqueViolation, isUserReferenceViolation, redeemStreamTicket, users, type Database } from "@companion/db";
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
import {
  DEFAULT_REFRESH_GRACE_MS,
  findFamilyOfToken,
  revokeFamily,
  revokeUserSessions,
  rotateRefreshToken,
  startRefreshFamily,
  type IssuedRefreshToken,
  type RequestMeta,
} from "./refresh-tokens.ts";
import { createLoginThrottle, type LoginThrottle } from "./throttle.ts";
import type { AccessTokenClaims, AccessTokenService, Role } from "./tokens.ts";

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

const INVALID_CREDENTIALS = "Invalid email or password";
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
    ): Promise<{ user: PublicUser; tokens: AuthTokens }> {
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
        return { user, tokens: await issueTokens(refresh, user.role) };
      } catch (err) {
        // The unique index decides, so two racing sign-ups cannot both win.
        if (isUniqueViolation(err, "users_email_key")) {
          throw new DomainError("CONFLICT", "Email already registered", undefined, { cause: err });
        }
        throw err;
      }
    },

    async login(input: { email: string; password: string }, meta: RequestMeta): Promise<{ user: PublicUser; tokens: AuthTokens }> {
      const email = normalizeEmail(input.email);
      await throttle.check(email, meta.ip);
      const fail = async (): Promise<never> => {
        await throttle.recordFailure(email, meta.ip);
        throw new DomainError("UNAUTHORIZED", INVALID_CREDENTIALS);
      };
      // No stored password can be this long, and hashing it would cost us more than it costs the caller.
      if (passwordLength(input.password) > PASSWORD_MAX) return fail();

      const [found] = await db
        .select({ ...publicUserColumns, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
        .from(users)
        .where(eq(users.email, email));
      if (!found) {
        await dummyVerify(input.password);
        return fail();
      }
      const { passwordHash, disabledAt, ...user } = found;
      const check = await verifyPassword(passwordHash, input.password);
      if (!check.ok) return fail();
      await throttle.recordSuccess(email);
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
      return { user, tokens: await issueTokens(refresh, user.role) };
    },

    async refresh(refreshToken: string, meta: RequestMeta): Promise<{ tokens: AuthTokens }> {
      const result = await rotateRefreshToken(db, { token: refreshToken, pepper: refreshPepper, graceMs, meta, now });
      // Thrown only here, after the transaction (and any family revocation) has committed.
      if (result.kind === "reused") throw new DomainError("UNAUTHORIZED", "Refresh token reuse detected; session revoked");
      if (result.kind === "invalid") throw new DomainError("UNAUTHORIZED", "Invalid or expired refresh token");
      // UNAUTHORIZED, not FORBIDDEN: the session is over, and clients drop their tokens on UNAUTHORIZED.
      if (result.kind === "disabled") throw new DomainError("UNAUTHORIZED", ACCOUNT_DISABLED);
      return { tokens: await issueTokens(result.child, result.role) };
    },

    /** Ends the session the token belongs to. Unknown tokens are ignored, so a retried logout succeeds. */
    async logout(refreshToken: string): Promise<void> {
      const familyId = await findFamilyOfToken(db, refreshToken);
      if (familyId) await revokeFamily(db, familyId, now());
    },

    async logoutAll(userId: string): Promise<void> {
      await revokeUserSessions(db, userId, { now: now() });
    },

    /**
     * Replaces the password and ends every other session. Their access tokens stay valid until
     * they expire (at most the access-token TTL), since access tokens are checked statelessly.
     */
    async changePassword(
      userId: string,
      input: { currentPassword: string; newPassword: string },
      currentSessionId: string,
    ): Promise<void> {
      assertPasswordPolicy(input.newPassword);
      const [found] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
      if (!found) throw accountGone();
      if (passwordLength(input.currentPassword) > PASSWORD_MAX || !(await verifyPassword(found.passwordHash, input.currentPassword)).ok) {
        throw new DomainError("UNAUTHORIZED", "Current password is incorrect");
      }
      const passwordHash = await hashPassword(input.newPassword);
      const at = now();
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash, passwordChangedAt: at, updatedAt: at }).where(eq(users.id, userId));
        await revokeUserSessions(tx, userId, { exceptFamilyId: currentSessionId, now: at });
      });
    },

    async me(userId: string): Promise<PublicUser> {
      const [user] = await db.select(publicUserColumns).from(users).where(eq(users.id, userId));
      if (!user) throw accountGone();
      return user;
    },

    /**
     * Stateless on purpose: no database read per request. A revoked session's access token
     * keeps working until it expires (15 minutes by default); refresh is where revocation bites.
     */
    async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
      const { userId, sessionId, role } = await tokens.verify(token);
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
