import { z } from "zod";
import { isoDateTime, uuid } from "./common.ts";

/**
 * Realtime events (`events.subscribe`, docs/realtime.md). Each arrives as tRPC's tracked
 * envelope `{ id, data }`: `id` is the event id, `data` one of the shapes below, told apart
 * by `type` (`eventsSubscribeData`: my events, or the `resync` notice).
 */

/** An event id as the client holds it: a decimal string, increasing per user. */
const eventId = z.string().regex(/^\d{1,15}$/, "Invalid event id");

/**
 * `lastEventId`: deliver what came after this id first, then live events. The tRPC client
 * fills it in by itself when it reconnects; pass it explicitly to resume a stream that was
 * closed. Without it, the stream starts with the next event.
 */
export const eventsSubscribeInput = z.object({ lastEventId: eventId.nullish() }).optional();

const event = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({ type: z.literal(type), payload, createdAt: isoDateTime });

/** Someone viewed my story for the first time. */
const storyViewedEvent = event("story.viewed", z.object({ storyId: uuid, viewerId: uuid }));
/** Someone reacted to a slide of my story, or changed their emoji. */
const storyReactedEvent = event("story.reacted", z.object({ storyId: uuid, mediaId: uuid, reactorId: uuid, emoji: z.string() }));
/** A companion I am connected with posted a story. */
const companionStoryPostedEvent = event("companion.story_posted", z.object({ storyId: uuid, companionId: uuid }));
/** A message arrived in one of my conversations without my asking: a companion wrote first (`proactive`). Load it with messages.list. */
const messageCreatedEvent = event(
  "message.created",
  z.object({ messageId: uuid, companionId: uuid, role: z.literal("assistant"), proactive: z.boolean() }),
);
/**
 * `data` is the notification's own payload; `unreadCount` mine after it (absent on events
 * written before it was added). `kind` stays a string: a client skips kinds it does not know.
 */
const notificationPayload = z.object({
  notificationId: uuid,
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
  unreadCount: z.number().int().nonnegative().optional(),
});
/** A notification was created for me. */
const notificationCreatedEvent = event("notification.created", notificationPayload);
/** An aggregated notification of mine counted someone new ("Ana and 3 others"); it is unread again. */
const notificationUpdatedEvent = event("notification.updated", notificationPayload);

/** An event of mine, as stored in the events table. */
export const realtimeEvent = z.discriminatedUnion("type", [storyViewedEvent, storyReactedEvent, companionStoryPostedEvent, messageCreatedEvent, notificationCreatedEvent, notificationUpdatedEvent]);
export type RealtimeEvent = z.infer<typeof realtimeEvent>;

/**
 * Not an event but a notice about the stream, sent first when I resume from a
 * `lastEventId` older than what retention has kept: events after it may have been deleted,
 * so the replay that follows can have gaps. Reload what you show through the ordinary
 * queries; replay and live events continue after it. Its tracked id is the id I resumed
 * from, so a reconnect before the next event asks again (and is told again).
 */
const resyncNotice = z.object({ type: z.literal("resync"), reason: z.literal("events-pruned") });

/**
 * The `data` of each tracked envelope `events.subscribe` yields: an event or a notice.
 * @public
 */
export const eventsSubscribeData = z.discriminatedUnion("type", [...realtimeEvent.options, resyncNotice]);
export type EventsSubscribeData = z.infer<typeof eventsSubscribeData>;
