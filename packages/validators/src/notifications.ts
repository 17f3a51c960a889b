import { z } from "zod";
import { isoDateTime, isSafeText, pageInput, page, SAFE_TEXT_MESSAGE, uuid } from "./common.ts";

/**
 * Notifications (`notifications.*`, docs/notifications.md). Kinds are an enum so that new ones
 * (a companion wrote first, the weekly digest) are one line here, a `data` shape below and a
 * job that raises them. Clients should skip a kind they do not know.
 */
export const notificationKind = z.enum(["follow", "story_reaction", "companion_story", "companion_message", "digest_ready", "story_reply", "data_export_ready"]);
export type NotificationKind = z.infer<typeof notificationKind>;

const followData = z.object({ followerId: uuid, followerName: z.string() });
/** One per story and hour: how many distinct people reacted, and who was last ("Ana and 3 others"). */
const storyReactionData = z.object({
  storyId: uuid,
  reactorCount: z.number().int().min(1),
  lastReactor: z.object({ id: uuid, displayName: z.string() }),
});
const companionStoryData = z.object({ storyId: uuid, companionId: uuid, companionName: z.string() });
/** A companion wrote first (docs/proactive.md); the message itself is in messages.list. */
const companionMessageData = z.object({ companionId: uuid, companionName: z.string(), messageId: uuid });
/** A weekly digest is ready: insights.digest({ companionId, week }). */
const digestReadyData = z.object({ digestId: uuid, companionId: uuid, companionName: z.string(), week: z.string() });

/** Someone replied to my story (stories.reply): their words, cut to 500 characters. */
const storyReplyData = z.object({ storyId: uuid, replier: z.object({ id: uuid, displayName: z.string() }), text: z.string() });

/** My data export is ready (auth.exportData): `url` works for about 15 minutes; auth.exportStatus gives a fresh one. */
const dataExportReadyData = z.object({ exportId: uuid, url: z.string().nullable(), urlExpiresAt: isoDateTime.nullable(), expiresAt: isoDateTime });

const item = <K extends NotificationKind, D extends z.ZodType>(kind: K, data: D) =>
  z.object({
    id: uuid,
    kind: z.literal(kind),
    data,
    /** A ready-made line for the list and the push ("Ana and 3 others reacted to your story"). */
    text: z.string(),
    createdAt: isoDateTime,
    /** Null while unread. */
    readAt: isoDateTime.nullable(),
  });

export const notification = z.discriminatedUnion("kind", [
  item("follow", followData),
  item("story_reaction", storyReactionData),
  item("companion_story", companionStoryData),
  item("companion_message", companionMessageData),
  item("digest_ready", digestReadyData),
  item("story_reply", storyReplyData),
  item("data_export_ready", dataExportReadyData),
]);
export type Notification = z.infer<typeof notification>;

export const notificationsListInput = pageInput;
export const notificationsListOutput = page(notification);

export const notificationsUnreadCountOutput = z.object({ unreadCount: z.number().int().nonnegative() });

/** Marks these read; ids that are not mine are ignored. */
export const notificationsReadInput = z.object({ ids: z.array(uuid).min(1).max(100) });
const readResult = z.object({ marked: z.number().int().nonnegative(), unreadCount: z.number().int().nonnegative() });
export const notificationsReadOutput = readResult;
export const notificationsReadAllOutput = readResult;

/** Every kind with whether I muted it: a muted kind is neither stored nor delivered. */
const preferences = z.object({ kinds: z.array(z.object({ kind: notificationKind, muted: z.boolean() })) });
export const notificationsPreferencesOutput = preferences;
/** `{ muted: { follow: true } }` mutes follows; kinds left out keep their setting. */
export const notificationsUpdatePreferencesInput = z.object({ muted: z.partialRecord(notificationKind, z.boolean()) });
export const notificationsUpdatePreferencesOutput = preferences;

/** A Web Push subscription (PushSubscription.toJSON() in a browser). */
const webPushDevice = z.object({
  platform: z.literal("web"),
  endpoint: z.url({ protocol: /^https?$/ }).max(2048).refine(isSafeText, SAFE_TEXT_MESSAGE),
  keys: z.object({
    p256dh: z.base64url().min(80).max(100),
    auth: z.base64url().min(16).max(32),
  }),
});
/** Registers a device for push; idempotent per endpoint. Native platforms (Expo, FCM, APNs) come as more options. */
export const notificationsRegisterDeviceInput = z.discriminatedUnion("platform", [webPushDevice]);
export const notificationsRegisterDeviceOutput = z.object({ deviceId: uuid });
/** What a client needs to subscribe a device: the VAPID public key (null: Web Push is not configured). */
export const notificationsPushConfigOutput = z.object({ webPush: z.object({ vapidPublicKey: z.string() }).nullable() });
export const notificationsUnregisterDeviceInput = z.object({ deviceId: uuid });
export const notificationsUnregisterDeviceOutput = z.object({ deviceId: uuid, removed: z.boolean() });
