import { securityEvents, type securityEventKinds } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

export type SecurityEventKind = (typeof securityEventKinds)[number];

export interface SecurityEventInput {
  /** Null when the account is unknown (a failed login for an email nobody has). */
  userId: string | null;
  kind: SecurityEventKind;
  ip?: string | null;
  userAgent?: string | null;
  /** Never a password, token or message text. */
  detail?: Record<string, unknown>;
}

/**
 * Appends to the security event log (docs/security-events.md). Service code only: request code
 * in a user scope may read its own events but not write one (RLS). Pass the transaction of the
 * change it records, so that the event commits with it.
 */
export async function recordSecurityEvent(db: Database, event: SecurityEventInput): Promise<void> {
  await db.insert(securityEvents).values({
    userId: event.userId,
    kind: event.kind,
    ip: event.ip ?? null,
    userAgent: event.userAgent ?? null,
    detail: event.detail ?? {},
  });
}
