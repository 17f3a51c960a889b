import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { notificationMutes, notifications } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/**
 * The recipient's side of notifications (docs/notifications.md): list, unread count, marking
 * read, muting kinds. Every query filters by the owner and runs in `withUser` (RLS checks it too).
 */

export interface NotificationRecord {
  id: string;
  kind: string;
  data: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
}

const notificationColumns = {
  id: notifications.id,
  kind: notifications.kind,
  data: notifications.payload,
  createdAt: notifications.createdAt,
  readAt: notifications.readAt,
};

/** My notifications, newest first, keyset-paged on (created_at, id) through notifications_user_created_idx. */
export async function listNotifications(
  db: Database,
  params: { userId: string; cursor?: string | undefined; limit: number },
): Promise<Page<NotificationRecord>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select(notificationColumns)
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, params.userId),
        after
          ? sql`(${notifications.createdAt}, ${notifications.id}) < (${sql.param(after.createdAt, notifications.createdAt)}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, (last) => encodeCursor({ createdAt: last.createdAt, id: last.id }));
}

/** How many of my notifications are unread (notifications_user_unread_idx). */
export async function countUnreadNotifications(db: Database, params: { userId: string }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, params.userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/** Marks these of my notifications read; ids that are not mine (or unknown) are ignored. Returns how many changed. */
export async function markNotificationsRead(db: Database, params: { userId: string; ids: readonly string[] }): Promise<number> {
  if (params.ids.length === 0) return 0;
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.userId, params.userId), inArray(notifications.id, [...params.ids]), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/** Marks all my notifications read. Returns how many changed. */
export async function markAllNotificationsRead(db: Database, params: { userId: string }): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.userId, params.userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/** The kinds I muted. */
export async function listMutedKinds(db: Database, params: { userId: string }): Promise<string[]> {
  const rows = await db.select({ kind: notificationMutes.kind }).from(notificationMutes).where(eq(notificationMutes.userId, params.userId));
  return rows.map((r) => r.kind);
}

/** Mutes (true) or unmutes (false) kinds of mine; idempotent. Returns the kinds muted afterwards. */
export async function setMutedKinds(db: Database, params: { userId: string; muted: Readonly<Record<string, boolean>> }): Promise<string[]> {
  const entries = Object.entries(params.muted);
  const mute = entries.filter(([, on]) => on).map(([kind]) => kind);
  const unmute = entries.filter(([, on]) => !on).map(([kind]) => kind);
  if (mute.length > 0) {
    await db
      .insert(notificationMutes)
      .values(mute.map((kind) => ({ userId: params.userId, kind })))
      .onConflictDoNothing();
  }
  if (unmute.length > 0) {
    await db.delete(notificationMutes).where(and(eq(notificationMutes.userId, params.userId), inArray(notificationMutes.kind, unmute)));
  }
  return listMutedKinds(db, params);
}

/** Whether `userId` muted `kind` (the jobs check before they write). */
export async function isKindMuted(db: Database, params: { userId: string; kind: string }): Promise<boolean> {
  const [row] = await db
    .select({ kind: notificationMutes.kind })
    .from(notificationMutes)
    .where(and(eq(notificationMutes.userId, params.userId), eq(notificationMutes.kind, params.kind)));
  return row !== undefined;
}
