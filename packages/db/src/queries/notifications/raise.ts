import { and, count, eq, gt, isNotNull, isNull, min, sql } from "drizzle-orm";
import { follows, notificationActors, notifications, relationshipStates, stories, storyReactions } from "../../schema/index.ts";
import { inTransaction } from "../../transaction.ts";
import type { Database } from "../../types.ts";
import { emitEvents, createNotification } from "../events.ts";
import { getPublicProfiles } from "../social.ts";
import { countUnreadNotifications, isKindMuted } from "./inbox.ts";

/**
 * What raises a notification (docs/notifications.md), called by the jobs (service code, outside
 * any user scope). Each is idempotent: a dedupe key per recipient makes a second run write
 * nothing. `onCreated` runs in the transaction that wrote the notification (the push job is
 * enqueued there), only for one that was created now.
 */

type OnCreated = (tx: Database, notificationId: string) => Promise<void>;

/** What a raise did; `skipped`: nothing to tell (gone, muted, myself, already told). */
export interface RaiseResult {
  created: number;
  updated: number;
  skipped: number;
}

const result = (created: number, updated = 0, skipped = 0): RaiseResult => ({ created, updated, skipped });

const HOUR_MS = 3_600_000;

/** `followerId` follows `followeeId`: one notification per follower, ever (re-follows do not repeat it). */
export async function raiseFollowNotification(
  db: Database,
  params: { followerId: string; followeeId: string; onCreated: OnCreated },
): Promise<RaiseResult> {
  return inTransaction(db, async (tx) => {
    const [edge] = await tx
      .select({ at: follows.createdAt })
      .from(follows)
      .where(and(eq(follows.followerId, params.followerId), eq(follows.followeeId, params.followeeId)));
    // Unfollowed before the job ran: nothing to tell.
    if (!edge || params.followerId === params.followeeId) return result(0, 0, 1);
    const [follower] = await getPublicProfiles(tx, [params.followerId]);
    if (!follower) return result(0, 0, 1);
    const created = await createNotification(tx, {
      userId: params.followeeId,
      kind: "follow",
      payload: { followerId: follower.id, followerName: follower.displayName },
      dedupeKey: `follow:${params.followerId}`,
    });
    if (!created) return result(0, 0, 1);
    await params.onCreated(tx, created.id);
    return result(1);
  });
}

/**
 * `reactorId` reacted to the user story `storyId`: one notification per story and hour (the hour
 * of the reactor's first reaction on it), counting distinct reactors, naming the latest.
 */
export async function raiseStoryReactionNotification(
  db: Database,
  params: { storyId: string; reactorId: string; onCreated: OnCreated },
): Promise<RaiseResult> {
  return inTransaction(db, async (tx) => {
    const [story] = await tx
      .select({ authorId: stories.authorUserId })
      .from(stories)
      .where(and(eq(stories.id, params.storyId), isNotNull(stories.authorUserId), isNull(stories.deletedAt), gt(stories.expiresAt, sql`now()`)));
    const authorId = story?.authorId;
    if (!authorId || authorId === params.reactorId) return result(0, 0, 1);
    if (await isKindMuted(tx, { userId: authorId, kind: "story_reaction" })) return result(0, 0, 1);
    const [reaction] = await tx
      .select({ first: min(storyReactions.createdAt) })
      .from(storyReactions)
      .where(and(eq(storyReactions.storyId, params.storyId), eq(storyReactions.userId, params.reactorId)));
    // The reaction was taken back before the job ran.
    if (!reaction?.first) return result(0, 0, 1);
    const [reactor] = await getPublicProfiles(tx, [params.reactorId]);
    if (!reactor) return result(0, 0, 1);
    const hour = new Date(Math.floor(reaction.first.getTime() / HOUR_MS) * HOUR_MS);
    const dedupeKey = `story_reaction:${params.storyId}:${hour.toISOString()}`;
    const lastReactor = { id: reactor.id, displayName: reactor.displayName };

    const created = await createNotification(tx, {
      userId: authorId,
      kind: "story_reaction",
      payload: { storyId: params.storyId, reactorCount: 1, lastReactor },
      dedupeKey,
    });
    if (created) {
      await tx.insert(notificationActors).values({ notificationId: created.id, actorId: params.reactorId });
      await params.onCreated(tx, created.id);
      return result(1);
    }
    // The hour's notification exists: lock it (concurrent reactors queue here), count this reactor once.
    const [existing] = await tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.userId, authorId), eq(notifications.dedupeKey, dedupeKey)))
      .for("update");
    if (!existing) return result(0, 0, 1);
    const added = await tx
      .insert(notificationActors)
      .values({ notificationId: existing.id, actorId: params.reactorId })
      .onConflictDoNothing()
      .returning({ actorId: notificationActors.actorId });
    if (added.length === 0) return result(0, 0, 1);
    const [counted] = await tx.select({ n: count() }).from(notificationActors).where(eq(notificationActors.notificationId, existing.id));
    const data = { storyId: params.storyId, reactorCount: counted?.n ?? 1, lastReactor };
    // Someone new reacted: the notification is unread again.
    await tx.update(notifications).set({ payload: data, readAt: null }).where(eq(notifications.id, existing.id));
    const unreadCount = await countUnreadNotifications(tx, { userId: authorId });
    await emitEvents(tx, [{ userId: authorId, type: "notification.updated", payload: { notificationId: existing.id, kind: "story_reaction", data, unreadCount } }]);
    return result(0, 1);
  });
}

/**
 * The companion `companionId` posted `storyId`: each user connected with it is told once. One
 * transaction per recipient (each takes one event bucket lock, docs/realtime.md).
 */
export async function raiseCompanionStoryNotifications(
  db: Database,
  params: { storyId: string; companionId: string; onCreated: OnCreated },
): Promise<RaiseResult> {
  const [story] = await db
    .select({ id: stories.id, companionName: sql<string>`(select c.name from companions c where c.id = ${stories.authorCompanionId})` })
    .from(stories)
    .where(and(eq(stories.id, params.storyId), eq(stories.authorCompanionId, params.companionId), isNull(stories.deletedAt), gt(stories.expiresAt, sql`now()`)));
  if (!story) return result(0, 0, 1);
  const recipients = await db
    .select({ userId: relationshipStates.userId })
    .from(relationshipStates)
    .where(eq(relationshipStates.companionId, params.companionId));
  const payload = { storyId: params.storyId, companionId: params.companionId, companionName: story.companionName };
  let created = 0;
  for (const { userId } of recipients) {
    const made = await inTransaction(db, async (tx) => {
      const note = await createNotification(tx, { userId, kind: "companion_story", payload, dedupeKey: `companion_story:${params.storyId}` });
      if (note) await params.onCreated(tx, note.id);
      return note !== null;
    });
    if (made) created++;
  }
  return result(created, 0, recipients.length - created);
}

/** A story reply's words as its notification keeps them (the push shows them too). */
const STORY_REPLY_TEXT_MAX_CHARS = 500;

const cutText = (text: string, max: number) => {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
};

/**
 * `replierId` replied to the user story `storyId` of `authorId` (stories.reply): one notification
 * per reply, its dedupe key the reply's idempotency key (a retry tells nobody twice). Unlike the
 * raises above it runs in the reply's own transaction: the words must not wait in a job's payload
 * (docs/notifications.md, "Story replies"). The caller checked that the story is visible and not mine.
 */
export async function notifyStoryReply(
  db: Database,
  params: { storyId: string; authorId: string; replierId: string; text: string; idempotencyKey: string; onCreated: OnCreated },
): Promise<{ created: boolean }> {
  const [replier] = await getPublicProfiles(db, [params.replierId]);
  if (!replier) throw new Error("the replier has no profile");
  const created = await createNotification(db, {
    userId: params.authorId,
    kind: "story_reply",
    payload: { storyId: params.storyId, replier: { id: replier.id, displayName: replier.displayName }, text: cutText(params.text, STORY_REPLY_TEXT_MAX_CHARS) },
    dedupeKey: `story_reply:${params.replierId}:${params.idempotencyKey}`,
  });
  if (created) await params.onCreated(db, created.id);
  return { created: created !== null };
}
