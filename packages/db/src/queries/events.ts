import { and, asc, eq, gt, sql } from "drizzle-orm";
import { eventRetention, events } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { rowsOf } from "../raw-sql.ts";

/**
 * Realtime events (docs/realtime.md): written in the transaction of the change they report and
 * NOTIFYd on commit, through SECURITY DEFINER functions (drizzle/0003), as most are for another user.
 */

/** The NOTIFY channel; its payload is `<user_id>:<event_id>`. */
export const EVENTS_CHANNEL = "companion_events";

/** Payload of each event type, as stored and as sent to subscribers. */
interface EventPayloads {
  /** To the author of a user story: someone viewed it for the first time. */
  "story.viewed": { storyId: string; viewerId: string };
  /** To the author of a user story: someone reacted to one of its slides (or changed the emoji). */
  "story.reacted": { storyId: string; mediaId: string; reactorId: string; emoji: string };
  /** To every user connected with the companion. */
  "companion.story_posted": { storyId: string; companionId: string };
  /** To the person: a message arrived in a conversation without them asking (a companion wrote first). */
  "message.created": { messageId: string; companionId: string; role: "assistant"; proactive: boolean };
  /** To the notification's recipient; `data` is the notification's own payload, `unreadCount` theirs after it. */
  "notification.created": NotificationEventPayload;
  /** An aggregated notification counted someone new (and is unread again). */
  "notification.updated": NotificationEventPayload;
}

interface NotificationEventPayload {
  notificationId: string;
  kind: string;
  data: Record<string, unknown>;
  unreadCount: number;
}

type EventType = keyof EventPayloads;

/** An event to write for `userId` (its recipient). */
export type NewEvent = { [K in EventType]: { userId: string; type: K; payload: EventPayloads[K] } }[EventType];

export interface EventRecord {
  /** Increases per recipient in commit order (see the migration), so it doubles as a replay cursor. */
  id: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Writes events and NOTIFYs each recipient's listeners, in the caller's transaction (or its
 * own one). Call it last in a transaction: it locks the recipients' buckets until commit,
 * which serializes other emitters for the same recipients.
 */
export async function emitEvents(db: Database, list: readonly NewEvent[]): Promise<{ id: number; userId: string }[]> {
  if (list.length === 0) return [];
  const json = JSON.stringify(list.map((e) => ({ user_id: e.userId, type: e.type, payload: e.payload })));
  return db
    .select({ id: sql`e.event_id`.mapWith(Number), userId: sql<string>`e.recipient_id` })
    .from(sql`emit_events(${json}::jsonb) as e`);
}

/** My events after `afterId`, oldest first: the replay on (re)connect and the catch-up on each wake-up. */
export async function eventsSince(db: Database, params: { userId: string; afterId: number; limit: number }): Promise<EventRecord[]> {
  // Served by events_user_id_idx (user_id, id).
  return db
    .select({ id: events.id, type: events.type, payload: events.payload, createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.userId, params.userId), gt(events.id, params.afterId)))
    .orderBy(asc(events.id))
    .limit(params.limit);
}

/** The id of my newest event, or 0: where a subscription without `lastEventId` starts. */
export async function latestEventId(db: Database, params: { userId: string }): Promise<number> {
  const [row] = await db
    .select({ id: sql`coalesce(max(${events.id}), 0)`.mapWith(Number) })
    .from(events)
    .where(eq(events.userId, params.userId));
  return row?.id ?? 0;
}

/**
 * How long events are kept by default (EVENT_RETENTION_MS): a week. Events only serve the
 * replay of a reconnecting subscriber; a client away for longer should reload its state
 * (docs/realtime.md). Notifications themselves live in their own table and are not pruned.
 */
export const EVENT_RETENTION_MS = 7 * 86_400_000;

/**
 * Deletes events created before `olderThan`, `batchSize` per statement, walking the primary key
 * (no created_at index needed), and raises the retention watermark in the same statement.
 * Returns how many; why it is shaped so: docs/realtime.md.
 */
export async function pruneEvents(db: Database, params: { olderThan: Date; batchSize?: number }): Promise<number> {
  const batchSize = params.batchSize ?? 1000;
  const olderThan = sql.param(params.olderThan, events.createdAt);
  let afterId = 0;
  let deleted = 0;
  for (;;) {
    const [row] = rowsOf(
      await db.execute(sql`
        with head as (
          select id, created_at < ${olderThan} as due from ${events}
          where id > ${afterId} order by id limit ${batchSize}
          for update skip locked
        ), gone as (
          delete from ${events} e using head where e.id = head.id and head.due returning e.id
        ), watermark as (
          insert into ${eventRetention} as w (pruned_through_id)
          select max(id) from gone having count(*) > 0
          on conflict (id) do update set pruned_through_id = greatest(w.pruned_through_id, excluded.pruned_through_id)
        )
        select (select count(*) from gone)::int as deleted, (select count(*) from head)::int as scanned,
          (select max(id) from head)::text as "lastId", coalesce((select bool_and(due) from head), false) as "allDue"`),
    ) as [{ deleted: number; scanned: number; lastId: string | null; allDue: boolean }?];
    if (!row) throw new Error("pruneEvents: no result row");
    deleted += row.deleted;
    if (row.scanned < batchSize || !row.allDue || row.lastId === null) return deleted;
    afterId = Number(row.lastId);
  }
}

/**
 * The highest event id retention has deleted, or 0 if it has deleted none. Events after an
 * id below it may be gone, so a replay from such an id can have gaps.
 */
export async function prunedThroughEventId(db: Database): Promise<number> {
  const [row] = await db.select({ id: eventRetention.prunedThroughId }).from(eventRetention).where(eq(eventRetention.id, 1));
  return row?.id ?? 0;
}

export interface CreatedNotification {
  id: string;
  createdAt: Date;
  eventId: number;
  /** The recipient's unread notifications, this one included. */
  unreadCount: number;
}

/**
 * Inserts a notification for `userId` and its `notification.created` event, atomically, in
 * the caller's transaction if there is one. Works inside `withUser` for another user too.
 * Null when nothing was written: the recipient muted `kind`, or a notification with the same
 * `dedupeKey` exists already (a job's second run).
 */
export async function createNotification(
  db: Database,
  params: { userId: string; kind: string; payload?: Record<string, unknown>; dedupeKey?: string },
): Promise<CreatedNotification | null> {
  const [row] = await db
    .select({
      id: sql<string>`n.notification_id`,
      createdAt: sql`n.created_at`.mapWith((v: string | Date) => new Date(v)),
      eventId: sql`n.event_id`.mapWith(Number),
      unreadCount: sql`n.unread_count`.mapWith(Number),
    })
    .from(
      sql`create_notification(${params.userId}::uuid, ${params.kind}, ${JSON.stringify(params.payload ?? {})}::jsonb, ${params.dedupeKey ?? null}::text) as n`,
    );
  return row ?? null;
}
