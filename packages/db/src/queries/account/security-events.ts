import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { passwordResetTokens, securityEvents, type securityEventKinds } from "../../schema/index.ts";
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

export interface SecurityEventRecord {
  id: string;
  userId: string | null;
  kind: SecurityEventKind;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

const securityEventColumns = {
  id: securityEvents.id,
  userId: securityEvents.userId,
  kind: securityEvents.kind,
  ip: securityEvents.ip,
  userAgent: securityEvents.userAgent,
  detail: securityEvents.detail,
  createdAt: securityEvents.createdAt,
};

/**
 * A person's security events, newest first, keyset-paged on (created_at, id) through
 * security_events_user_created_idx. For the person (auth.securityEvents, in their user scope)
 * and for operators (`pnpm admin security:events`); `kinds` narrows to some kinds.
 */
export async function listSecurityEvents(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number; kinds?: readonly SecurityEventKind[] | undefined },
): Promise<Page<SecurityEventRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select(securityEventColumns)
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.userId, params.userId),
        params.kinds && params.kinds.length > 0 ? inArray(securityEvents.kind, [...params.kinds]) : undefined,
        after
          ? sql`(${securityEvents.createdAt}, ${securityEvents.id}) < (${sql.param(after.createdAt, securityEvents.createdAt)}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.createdAt, id: last.id }));
}

/** How long the security log keeps an event (docs/security-events.md#retention). */
export const SECURITY_EVENT_RETENTION_MS = 365 * 86_400_000;

/**
 * The security log's housekeeping, run by the `events.prune` job: events past their retention,
 * and password reset tokens a day past their expiry (spent or not, they open nothing).
 */
export async function pruneSecurityLog(db: Database, params: { now: Date }): Promise<{ securityEvents: number; resetTokens: number }> {
  const eventsBefore = new Date(params.now.getTime() - SECURITY_EVENT_RETENTION_MS);
  const tokensBefore = new Date(params.now.getTime() - 86_400_000);
  const events = await db.delete(securityEvents).where(lt(securityEvents.createdAt, eventsBefore)).returning({ id: securityEvents.id });
  const tokens = await db.delete(passwordResetTokens).where(lt(passwordResetTokens.expiresAt, tokensBefore)).returning({ id: passwordResetTokens.id });
  return { securityEvents: events.length, resetTokens: tokens.length };
}
