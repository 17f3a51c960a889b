import {
  countUnreadNotifications,
  listMutedKinds,
  listNotifications,
  markAllNotificationsRead,
  markNotificationsRead,
  registerPushDevice,
  setMutedKinds,
  unregisterPushDevice,
} from "@companion/db";
import {
  notificationsListInput,
  notificationsListOutput,
  notificationsPreferencesOutput,
  notificationsReadAllOutput,
  notificationsReadInput,
  notificationsReadOutput,
  notificationsRegisterDeviceInput,
  notificationsRegisterDeviceOutput,
  notificationsUnreadCountOutput,
  notificationsPushConfigOutput,
  notificationsUnregisterDeviceInput,
  notificationsUnregisterDeviceOutput,
  notificationsUpdatePreferencesInput,
  notificationsUpdatePreferencesOutput,
} from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireNotification, toWirePreferences } from "../wire/notifications.ts";

/** My notifications (docs/notifications.md): written by jobs, read and muted here. */
export const notificationsRouter = router({
  /** My notifications, newest first, keyset-paged; each with `readAt` (null: unread). */
  list: userProcedure
    .input(notificationsListInput)
    .output(notificationsListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listNotifications(ctx.db, { userId: ctx.user.id, ...input });
      return { items: page.items.map(toWireNotification), nextCursor: page.nextCursor };
    }),

  /** How many of mine are unread. */
  unreadCount: userProcedure
    .output(notificationsUnreadCountOutput)
    .query(async ({ ctx }) => ({ unreadCount: await countUnreadNotifications(ctx.db, { userId: ctx.user.id }) })),

  /** Marks these of mine read; ids that are not mine are ignored (never an error that would tell them apart). */
  read: userProcedure
    .input(notificationsReadInput)
    .output(notificationsReadOutput)
    .mutation(async ({ ctx, input }) => {
      const marked = await markNotificationsRead(ctx.db, { userId: ctx.user.id, ids: input.ids });
      return { marked, unreadCount: await countUnreadNotifications(ctx.db, { userId: ctx.user.id }) };
    }),

  /** Marks all mine read. */
  readAll: userProcedure.output(notificationsReadAllOutput).mutation(async ({ ctx }) => ({
    marked: await markAllNotificationsRead(ctx.db, { userId: ctx.user.id }),
    unreadCount: 0,
  })),

  /** Every kind and whether I muted it. */
  preferences: userProcedure
    .output(notificationsPreferencesOutput)
    .query(async ({ ctx }) => toWirePreferences(await listMutedKinds(ctx.db, { userId: ctx.user.id }))),

  /** Mutes or unmutes kinds: a muted kind is neither stored nor delivered from now on. */
  updatePreferences: userProcedure
    .input(notificationsUpdatePreferencesInput)
    .output(notificationsUpdatePreferencesOutput)
    .mutation(async ({ ctx, input }) => toWirePreferences(await setMutedKinds(ctx.db, { userId: ctx.user.id, muted: input.muted }))),

  /** Registers this device for push (a Web Push subscription); idempotent per endpoint. */
  registerDevice: userProcedure
    .input(notificationsRegisterDeviceInput)
    .output(notificationsRegisterDeviceOutput)
    .mutation(async ({ ctx, input }) => {
      const { id } = await registerPushDevice(ctx.db, { userId: ctx.user.id, platform: input.platform, endpoint: input.endpoint, keys: input.keys });
      return { deviceId: id };
    }),

  /** The VAPID public key a browser subscribes with (`pushManager.subscribe({ applicationServerKey })`). */
  pushConfig: userProcedure.output(notificationsPushConfigOutput).query(({ ctx }) => ({
    webPush: ctx.services.webPushPublicKey ? { vapidPublicKey: ctx.services.webPushPublicKey } : null,
  })),

  /** Stops push to one of my devices; idempotent. */
  unregisterDevice: userProcedure
    .input(notificationsUnregisterDeviceInput)
    .output(notificationsUnregisterDeviceOutput)
    .mutation(async ({ ctx, input }) => ({ deviceId: input.deviceId, ...(await unregisterPushDevice(ctx.db, { userId: ctx.user.id, deviceId: input.deviceId })) })),
});
