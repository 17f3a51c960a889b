import { and, eq, sql } from "drizzle-orm";
import { notifications, pushDevices } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

/** Push devices (docs/notifications.md): registered by their user, read and pruned by the push job. */

export interface PushDeviceRecord {
  id: string;
  userId: string;
  platform: string;
  endpoint: string;
  keys: { p256dh: string; auth: string } | null;
}

const deviceColumns = {
  id: pushDevices.id,
  userId: pushDevices.userId,
  platform: pushDevices.platform,
  endpoint: pushDevices.endpoint,
  keys: pushDevices.keys,
};

/** Registers (or refreshes) one of my devices; idempotent per endpoint. Returns its id. */
export async function registerPushDevice(
  db: Database,
  params: { userId: string; platform: string; endpoint: string; keys: { p256dh: string; auth: string } | null },
): Promise<{ id: string }> {
  const [row] = await db
    .insert(pushDevices)
    .values({ userId: params.userId, platform: params.platform, endpoint: params.endpoint, keys: params.keys })
    .onConflictDoUpdate({
      target: [pushDevices.userId, pushDevices.endpoint],
      set: { platform: params.platform, keys: params.keys, updatedAt: sql`now()` },
    })
    .returning({ id: pushDevices.id });
  if (!row) throw new Error("upsert into push_devices returned no row");
  return row;
}

/** Removes one of my devices; idempotent (`removed` says whether it was there). */
export async function unregisterPushDevice(db: Database, params: { userId: string; deviceId: string }): Promise<{ removed: boolean }> {
  const rows = await db
    .delete(pushDevices)
    .where(and(eq(pushDevices.userId, params.userId), eq(pushDevices.id, params.deviceId)))
    .returning({ id: pushDevices.id });
  return { removed: rows.length > 0 };
}

/** Every device of `userId` (the push job's fan-out). */
export async function listPushDevices(db: Database, params: { userId: string }): Promise<PushDeviceRecord[]> {
  return db.select(deviceColumns).from(pushDevices).where(eq(pushDevices.userId, params.userId));
}

export async function getPushDevice(db: Database, params: { deviceId: string }): Promise<PushDeviceRecord | null> {
  const [row] = await db.select(deviceColumns).from(pushDevices).where(eq(pushDevices.id, params.deviceId));
  return row ?? null;
}

/** Forgets a device its push service says is gone (404/410). */
export async function deletePushDevice(db: Database, params: { deviceId: string }): Promise<void> {
  await db.delete(pushDevices).where(eq(pushDevices.id, params.deviceId));
}

/** A notification as the push job reads it (service code). */
export async function getNotificationForPush(
  db: Database,
  params: { notificationId: string },
): Promise<{ id: string; userId: string; kind: string; data: Record<string, unknown>; readAt: Date | null } | null> {
  const [row] = await db
    .select({ id: notifications.id, userId: notifications.userId, kind: notifications.kind, data: notifications.payload, readAt: notifications.readAt })
    .from(notifications)
    .where(eq(notifications.id, params.notificationId));
  return row ?? null;
}
