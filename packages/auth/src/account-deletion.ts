/**
 * auth.deleteAccount (docs/account.md#deletion): the password again, then in one transaction the
 * sessions revoked, an anonymous security event, the caller's own step (the stored files' purge
 * job, enqueued in the same transaction) and the account row deleted, with everything that
 * cascades from it.
 */
import { deleteAccountRows, recordSecurityEvent, users, type Database } from "@companion/db";
import { DomainError } from "@companion/errors";
import { eq } from "drizzle-orm";
import { PASSWORD_MAX, passwordLength, verifyPassword } from "./password.ts";
import { revokeUserSessions, type RequestMeta } from "./refresh-tokens.ts";

export interface DeleteAccountParams {
  userId: string;
  password: string;
  meta: RequestMeta;
  /** Runs in the deletion's transaction, before the rows go: list the stored files and enqueue their purge. */
  beforeDelete: (tx: Database) => Promise<void>;
  now?: Date;
}

/**
 * A wrong password is FORBIDDEN naming `password`, not UNAUTHORIZED: clients take UNAUTHORIZED for an
 * expired token and would refresh and retry. An account already gone is UNAUTHORIZED (the token names nobody).
 */
export async function deleteAccount(db: Database, params: DeleteAccountParams): Promise<void> {
  const now = params.now ?? new Date();
  const [found] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, params.userId));
  if (!found) throw new DomainError("UNAUTHORIZED", "This account no longer exists");
  if (passwordLength(params.password) > PASSWORD_MAX || !(await verifyPassword(found.passwordHash, params.password)).ok) {
    throw new DomainError("FORBIDDEN", "Password is incorrect", { field: "password" });
  }
  await db.transaction(async (tx) => {
    // Locked first: a concurrent change of this account waits for the delete, then finds nothing.
    const [locked] = await tx.select({ id: users.id }).from(users).where(eq(users.id, params.userId)).for("update");
    if (!locked) throw new DomainError("UNAUTHORIZED", "This account no longer exists");
    const sessions = await revokeUserSessions(tx, params.userId, { now });
    // No user id and nothing that names the person: the log keeps that an account was deleted, not whose.
    await recordSecurityEvent(tx, { userId: null, kind: "account_deleted", detail: { sessionsRevoked: sessions } });
    await params.beforeDelete(tx);
    await deleteAccountRows(tx, { userId: params.userId });
  });
}
