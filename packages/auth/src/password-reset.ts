/**
 * Password reset (docs/account.md#password-reset): a random single-use token, stored only as its
 * SHA-256 hash, valid 30 minutes; using it sets the password and revokes every session. Mailing
 * the link is the caller's (the Mailer in @companion/api).
 */
import { createHash, randomBytes } from "node:crypto";
import { passwordResetTokens, recordSecurityEvent, users, type Database } from "@companion/db";
import { DomainError } from "@companion/errors";
import { and, eq, gt, isNull } from "drizzle-orm";
import { hashPassword, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN, passwordLength } from "./password.ts";
import { revokeUserSessions, type RequestMeta } from "./refresh-tokens.ts";

const PASSWORD_RESET_TTL_MS = 30 * 60 * 1000;

const hashResetToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface IssuedPasswordReset {
  userId: string;
  email: string;
  displayName: string;
  language: string;
  /** The raw token, for the mail only; never stored or logged. */
  token: string;
  expiresAt: Date;
}

/**
 * A reset token for the account with this email, or null when there is none (or it is disabled):
 * the caller answers the same either way. Records `password_reset_requested` for a known account.
 */
export async function issuePasswordReset(
  db: Database,
  params: { email: string; meta: RequestMeta; now?: Date },
): Promise<IssuedPasswordReset | null> {
  const now = params.now ?? new Date();
  const email = normalizeEmail(params.email);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email, displayName: users.displayName, language: users.language, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.email, email));
    if (!user || user.disabledAt) return null;
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
    await tx.insert(passwordResetTokens).values({ userId: user.id, tokenHash: hashResetToken(token), createdAt: now, expiresAt, ip: params.meta.ip });
    await recordSecurityEvent(tx, { userId: user.id, kind: "password_reset_requested", ip: params.meta.ip, userAgent: params.meta.userAgent });
    return { userId: user.id, email: user.email, displayName: user.displayName, language: user.language, token, expiresAt };
  });
}

/**
 * Sets a new password with a reset token: once (the row is locked and marked used), within 30 minutes;
 * every other token of the account is spent too, and every session revoked. A token that is unknown,
 * used or expired is BAD_REQUEST naming `token`.
 */
export async function resetPassword(
  db: Database,
  params: { token: string; password: string; meta: RequestMeta; now?: Date },
): Promise<{ userId: string }> {
  const now = params.now ?? new Date();
  const length = passwordLength(params.password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw new DomainError("BAD_REQUEST", `Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, { field: "password" });
  }
  const passwordHash = await hashPassword(params.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: passwordResetTokens.id, userId: passwordResetTokens.userId })
      .from(passwordResetTokens)
      .where(
        and(eq(passwordResetTokens.tokenHash, hashResetToken(params.token)), isNull(passwordResetTokens.usedAt), gt(passwordResetTokens.expiresAt, now)),
      )
      .for("update");
    if (!row) throw new DomainError("BAD_REQUEST", "token: invalid, used or expired; ask for a new reset link", { field: "token" });
    await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.userId, row.userId), isNull(passwordResetTokens.usedAt)));
    await tx.update(users).set({ passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, row.userId));
    const sessions = await revokeUserSessions(tx, row.userId, { now });
    await recordSecurityEvent(tx, { userId: row.userId, kind: "password_reset", ip: params.meta.ip, userAgent: params.meta.userAgent, detail: { sessionsRevoked: sessions } });
    return { userId: row.userId };
  });
}
