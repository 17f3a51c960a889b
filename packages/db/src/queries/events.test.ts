import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { companions, events, notificationMutes, notifications, relationshipStates } from "../schema/index.ts";
import { upsertCompanions } from "../seed/index.ts";
import { createTestDatabase, type TestDatabase } from "../testing/index.ts";
import { withUser } from "../transaction.ts";
import { publishCompanionStory } from "./stories/companion.ts";
import { EVENTS_CHANNEL, createNotification, emitEvents, eventsSince, latestEventId } from "./events.ts";
import { insertUser } from "./users.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

let n = 0;
const newUser = async () => (await insertUser(handle.db, { email: `ev${++n}.${Date.now()}@example.com`, passwordHash: "x", displayName: `U${n}` })).id;

const rlsRefusal = { cause: { message: expect.stringMatching(/row-level security/) } };

/** Collects NOTIFY payloads on the events channel through DatabaseHandle.listen. */
async function listenAll() {
  const payloads: string[] = [];
  const unlisten = await handle.listen(EVENTS_CHANNEL, (p) => payloads.push(p));
  const until = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (payloads.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return payloads;
  };
  return { payloads, until, unlisten };
}

describe("events outbox", () => {
  it("writes events for another user from inside withUser (RLS) and notifies only on commit", async () => {
    const [viewer, author] = [await newUser(), await newUser()];
    const { payloads, until, unlisten } = await listenAll();
    try {
      const emitted = await withUser(handle.db, viewer, async (tx) => {
        const rows = await emitEvents(tx, [{ userId: author, type: "story.viewed", payload: { storyId: viewer, viewerId: viewer } }]);
        // Not committed yet: nothing may have been announced.
        await new Promise((r) => setTimeout(r, 50));
        expect(payloads).toEqual([]);
        return rows;
      });
      expect(emitted).toHaveLength(1);
      const id = emitted[0]?.id ?? 0;
      expect(await until(1)).toEqual([`${author}:${id}`]);

      // The author reads it under RLS; the viewer does not see the author's events.
      const mine = await withUser(handle.db, author, (tx) => eventsSince(tx, { userId: author, afterId: 0, limit: 10 }));
      expect(mine).toEqual([{ id, type: "story.viewed", payload: { storyId: viewer, viewerId: viewer }, createdAt: expect.any(Date) }]);
      expect(await withUser(handle.db, viewer, (tx) => eventsSince(tx, { userId: author, afterId: 0, limit: 10 }))).toEqual([]);
    } finally {
      await unlisten();
    }
  });

  it("a rolled-back transaction leaves no event and sends no notification", async () => {
    const user = await newUser();
    const { payloads, unlisten } = await listenAll();
    try {
      await expect(
        handle.db.transaction(async (tx) => {
          await emitEvents(tx, [{ userId: user, type: "notification.created", payload: { notificationId: user, kind: "x", data: {}, unreadCount: 1 } }]);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      await new Promise((r) => setTimeout(r, 100));
      expect(payloads).toEqual([]);
      expect(await eventsSince(handle.db, { userId: user, afterId: 0, limit: 10 })).toEqual([]);
    } finally {
      await unlisten();
    }
  });

  it("eventsSince pages in id order and latestEventId marks the end", async () => {
    const user = await newUser();
    expect(await latestEventId(handle.db, { userId: user })).toBe(0);
    const emitted = await emitEvents(
      handle.db,
      Array.from({ length: 5 }, (_, i) => ({ userId: user, type: "story.reacted" as const, payload: { storyId: user, mediaId: user, reactorId: user, emoji: String(i) } })),
    );
    const ids = emitted.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const first = await eventsSince(handle.db, { userId: user, afterId: 0, limit: 3 });
    const rest = await eventsSince(handle.db, { userId: user, afterId: first[2]?.id ?? 0, limit: 3 });
    expect([...first, ...rest].map((e) => e.payload.emoji)).toEqual(["0", "1", "2", "3", "4"]);
    expect(await latestEventId(handle.db, { userId: user })).toBe(ids[4]);
  });

  it("createNotification inserts the notification and its event atomically, even for another user under RLS", async () => {
    const [actor, recipient] = [await newUser(), await newUser()];
    const created = await withUser(handle.db, actor, (tx) => createNotification(tx, { userId: recipient, kind: "follow", payload: { followerId: actor } }));
    if (!created) throw new Error("no notification created");
    const [stored] = await handle.db.select({ kind: notifications.kind, userId: notifications.userId }).from(notifications).where(eq(notifications.id, created.id));
    expect(stored).toEqual({ kind: "follow", userId: recipient });
    const [event] = await eventsSince(handle.db, { userId: recipient, afterId: 0, limit: 10 });
    expect(event).toMatchObject({ id: created.eventId, type: "notification.created", payload: { notificationId: created.id, kind: "follow", data: { followerId: actor }, unreadCount: 1 } });
    expect(created.createdAt).toBeInstanceOf(Date);
  });

  it("createNotification writes nothing for a muted kind or a dedupe key already used", async () => {
    const recipient = await newUser();
    const once = await createNotification(handle.db, { userId: recipient, kind: "follow", payload: {}, dedupeKey: "k1" });
    expect(once?.unreadCount).toBe(1);
    expect(await createNotification(handle.db, { userId: recipient, kind: "follow", payload: {}, dedupeKey: "k1" })).toBeNull();
    await handle.db.insert(notificationMutes).values({ userId: recipient, kind: "muted" });
    expect(await createNotification(handle.db, { userId: recipient, kind: "muted", payload: {} })).toBeNull();
    const stored = await handle.db.select({ kind: notifications.kind }).from(notifications).where(eq(notifications.userId, recipient));
    expect(stored).toEqual([{ kind: "follow" }]);
    expect(await eventsSince(handle.db, { userId: recipient, afterId: 0, limit: 10 })).toHaveLength(1);
  });

  it("request code cannot write events through the table itself (only through the functions)", async () => {
    const [me, other] = [await newUser(), await newUser()];
    await expect(withUser(handle.db, me, (tx) => tx.insert(events).values({ userId: other, type: "story.viewed" }))).rejects.toMatchObject(rlsRefusal);
    await expect(withUser(handle.db, me, (tx) => tx.insert(notifications).values({ userId: other, kind: "spoof" }))).rejects.toMatchObject(rlsRefusal);
  });

  it("per recipient, a later emitter waits for the earlier one to commit, so ids commit in order", async () => {
    const user = await newUser();
    let releaseFirst = () => {};
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstId = 0;
    let firstEmitted = () => {};
    const emittedOnce = new Promise<void>((r) => (firstEmitted = r));
    const first = handle.db.transaction(async (tx) => {
      const [row] = await emitEvents(tx, [{ userId: user, type: "story.viewed", payload: { storyId: user, viewerId: user } }]);
      firstId = row?.id ?? 0;
      firstEmitted();
      await firstHolds;
    });
    await emittedOnce;
    let secondDone = false;
    const second = emitEvents(handle.db, [{ userId: user, type: "story.viewed", payload: { storyId: user, viewerId: user } }]).then((rows) => {
      secondDone = true;
      return rows;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(secondDone).toBe(false);
    releaseFirst();
    await first;
    const [secondRow] = await second;
    expect(secondRow?.id).toBeGreaterThan(firstId);
  });

  it("publishCompanionStory fans companion.story_posted out to every connected user", async () => {
    await upsertCompanions(handle.db, [
      { slug: "ev-comp", name: "Ev", tagline: "", bio: "", traits: [], avatarUrl: "/a.svg", persona: { systemPrompt: "p", speakingStyle: "", backstory: "" } },
    ]);
    const [comp] = await handle.db.select({ id: companions.id }).from(companions).where(eq(companions.slug, "ev-comp"));
    const companionId = comp?.id ?? "";
    const [a, b, stranger] = [await newUser(), await newUser(), await newUser()];
    await handle.db.insert(relationshipStates).values([{ userId: a, companionId }, { userId: b, companionId }]);
    const { storyId, notified } = await publishCompanionStory(handle.db, { companionId, caption: "hi", slides: [{ kind: "image", mediaKey: "demo/ev/1.svg" }] });
    expect(notified).toBe(2);
    for (const user of [a, b]) {
      expect(await eventsSince(handle.db, { userId: user, afterId: 0, limit: 10 })).toMatchObject([{ type: "companion.story_posted", payload: { storyId, companionId } }]);
    }
    expect(await eventsSince(handle.db, { userId: stranger, afterId: 0, limit: 10 })).toEqual([]);
  });
});
