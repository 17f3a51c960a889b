import type { NotificationRecord } from "@companion/db";
import { notification, notificationKind, type Notification, type NotificationKind } from "@companion/validators";
import { describeNotification } from "../services/notification-text.ts";

/** A stored notification as the list shows it; the output schema checks `data` against its kind. */
export const toWireNotification = (n: NotificationRecord): Notification =>
  notification.parse({
    id: n.id,
    kind: n.kind,
    data: n.data,
    text: describeNotification(n.kind, n.data).body,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  });

/** Every kind with its mute state. */
export const toWirePreferences = (muted: readonly string[]): { kinds: { kind: NotificationKind; muted: boolean }[] } => ({
  kinds: notificationKind.options.map((kind) => ({ kind, muted: muted.includes(kind) })),
});
