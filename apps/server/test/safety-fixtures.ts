/**
 * Fixtures for the safety tests (docs/safety.md): what the API does not return (messages.flagged,
 * the security log), a person's language set straight in the table, and the reason of a refusal.
 */
import { isTRPCClientError } from "@companion/client";
import { messages, securityEvents, users, type Database } from "@companion/db";
import { and, asc, eq } from "drizzle-orm";

export async function flaggedMessages(db: Database, userId: string, companionId: string) {
  return db
    .select({ role: messages.role, content: messages.content, flagged: messages.flagged, provider: messages.provider })
    .from(messages)
    .where(and(eq(messages.userId, userId), eq(messages.companionId, companionId)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function safetyEvents(db: Database, userId: string) {
  return db
    .select({ kind: securityEvents.kind, detail: securityEvents.detail })
    .from(securityEvents)
    .where(and(eq(securityEvents.userId, userId), eq(securityEvents.kind, "safety_refused")))
    .orderBy(asc(securityEvents.createdAt));
}

export async function setLanguage(db: Database, userId: string, language: string): Promise<void> {
  await db.update(users).set({ language }).where(eq(users.id, userId));
}

/** The tRPC code and `data.reason` of a call that must fail. */
export async function refusalOf(call: () => Promise<unknown>): Promise<{ code: string | undefined; reason: unknown }> {
  try {
    await call();
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code, reason: err.data?.reason };
    throw err;
  }
  throw new Error("expected the call to fail");
}
