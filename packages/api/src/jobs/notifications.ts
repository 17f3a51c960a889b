/**
 * Notifications (docs/notifications.md): each raise writes at most one row per dedupe key and
 * enqueues its push in the same transaction; the push fans out per device and forgets devices
 * their push service says are gone.
 */
import {
  deletePushDevice,
  getNotificationForPush,
  getPushDevice,
  isKindMuted,
  listPushDevices,
  raiseCompanionStoryNotifications,
  raiseFollowNotification,
  raiseStoryReactionNotification,
  type Database,
} from "@companion/db";
import { PermanentJobError, type JobHandlers } from "@companion/jobs";
import { describeNotification } from "../services/notification-text.ts";
import type { JobDeps } from "./deps.ts";

export function notificationHandlers({ db, queue, push, log }: JobDeps): JobHandlers {
  const enqueuePush = async (tx: Database, notificationId: string) => {
    await queue.enqueue(tx, "notifications.push", { notificationId });
  };
  return {
    "notifications.follow": async ({ followerId, followeeId }) => ({ ...(await raiseFollowNotification(db, { followerId, followeeId, onCreated: enqueuePush })) }),
    "notifications.story-reaction": async ({ storyId, reactorId }) => ({
      ...(await raiseStoryReactionNotification(db, { storyId, reactorId, onCreated: enqueuePush })),
    }),
    "notifications.companion-story": async ({ storyId, companionId }) => ({
      ...(await raiseCompanionStoryNotifications(db, { storyId, companionId, onCreated: enqueuePush })),
    }),
    "notifications.push": async ({ notificationId, deviceId }, { signal }) => {
      const note = await getNotificationForPush(db, { notificationId });
      // Gone with its user, already read, or muted since: nothing to push.
      if (!note || note.readAt || (await isKindMuted(db, { userId: note.userId, kind: note.kind }))) return { skipped: 1 };
      if (!deviceId) {
        const devices = await listPushDevices(db, { userId: note.userId });
        await db.transaction(async (tx) => {
          for (const device of devices) await queue.enqueue(tx, "notifications.push", { notificationId, deviceId: device.id }, { singletonKey: `${notificationId}:${device.id}` });
        });
        return { devices: devices.length };
      }
      const device = await getPushDevice(db, { deviceId });
      if (!device || device.userId !== note.userId) return { skipped: 1 };
      const { title, body } = describeNotification(note.kind, note.data);
      const outcome = await push.send(device, { notificationId, kind: note.kind, title, body }, { signal });
      if (outcome.status === "delivered") return { sent: 1 };
      await deletePushDevice(db, { deviceId });
      if (outcome.status === "gone") {
        log.info({ platform: device.platform, deviceId }, "push device gone: removed");
        return { removed: 1 };
      }
      // A refusal no retry changes (a malformed subscription, an http endpoint): the device can never receive.
      throw new PermanentJobError(`push refused: ${outcome.reason}; device removed`);
    },
  };
}
