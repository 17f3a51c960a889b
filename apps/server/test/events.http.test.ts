/**
 * events.subscribe through packages/client over HTTP (SSE): live delivery, replay after a
 * reconnect (explicit lastEventId and the client's own), the resync notice after events
 * were pruned, shutdown, and 1,000 connect/disconnect cycles that leave no listener behind.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import {
  createNotification,
  emitEvents,
  EVENT_RETENTION_MS,
  events,
  pruneEvents,
  prunedThroughEventId,
  publishCompanionStory,
  type NewEvent,
} from "@companion/db";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";
import { recordEvents, settle } from "./realtime-client.ts";
import { createCompanion } from "./story-fixtures.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

async function signUp(name: string) {
  const { api } = t.session();
  const { user } = await api.auth.register.mutate({ email: uniqueEmail(name), password: "password-1234", displayName: name });
  return { api, id: user.id };
}

const viewed = (userId: string, viewerId: string): NewEvent => ({ userId, type: "story.viewed", payload: { storyId: crypto.randomUUID(), viewerId } });
async function notify(userId: string, n: number, db = t.database.db) {
  const note = await createNotification(db, { userId, kind: "test", payload: { n } });
  if (!note) throw new Error("no notification created");
  return note;
}
const hubListeners = () => t.server.runtime.services.eventHub.stats().listeners;

/** Makes these events older than the retention and prunes: they are gone, the watermark is past them. */
async function pruneAsExpired(eventIds: number[]) {
  const longAgo = new Date(Date.now() - EVENT_RETENTION_MS - 86_400_000);
  await t.database.db.update(events).set({ createdAt: longAgo }).where(inArray(events.id, eventIds));
  await pruneEvents(t.database.db, { olderThan: new Date(Date.now() - EVENT_RETENTION_MS) });
  expect(await t.database.db.select({ id: events.id }).from(events).where(inArray(events.id, eventIds))).toEqual([]);
  expect(await prunedThroughEventId(t.database.db)).toBe(Math.max(...eventIds));
}

describe("events.subscribe over SSE", () => {
  it("delivers my story.viewed, story.reacted and notification.created events live, tracked by event id", async () => {
    const author = await signUp("Author");
    const other = await signUp("Other");
    const sub = recordEvents(author.api);
    await sub.started;

    const storyId = crypto.randomUUID();
    const mediaId = crypto.randomUUID();
    const [v] = await emitEvents(t.database.db, [{ userId: author.id, type: "story.viewed", payload: { storyId, viewerId: other.id } }]);
    await emitEvents(t.database.db, [viewed(other.id, author.id)]); // someone else's: must not arrive
    const [r] = await emitEvents(t.database.db, [
      { userId: author.id, type: "story.reacted", payload: { storyId, mediaId, reactorId: other.id, emoji: "🔥" } },
    ]);
    const note = await notify(author.id, 1);

    const got = await sub.waitFor(3);
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe();
    expect(got.map((e) => e.id)).toEqual([String(v?.id), String(r?.id), String(note.eventId)]);
    expect(got.map((e) => e.data)).toEqual([
      { type: "story.viewed", payload: { storyId, viewerId: other.id }, createdAt: expect.any(String) },
      { type: "story.reacted", payload: { storyId, mediaId, reactorId: other.id, emoji: "🔥" }, createdAt: expect.any(String) },
      { type: "notification.created", payload: { notificationId: note.id, kind: "test", data: { n: 1 }, unreadCount: 1 }, createdAt: expect.any(String) },
    ]);
    expect(sub.errors).toEqual([]);
  });

  it("tells users connected with a companion when it posts a story, and nobody else", async () => {
    const companionId = await createCompanion(t.database.db, "Poster");
    const fan = await signUp("Fan");
    const stranger = await signUp("Stranger");
    await fan.api.companions.connect.mutate({ companionId });
    const fanEvents = recordEvents(fan.api);
    const strangerEvents = recordEvents(stranger.api);
    await Promise.all([fanEvents.started, strangerEvents.started]);

    const { storyId, notified } = await publishCompanionStory(t.database.db, { companionId, slides: [{ kind: "image", mediaKey: "test/poster/1.svg" }] });
    expect(notified).toBe(1);
    const [event] = await fanEvents.waitFor(1);
    expect(event?.data).toEqual({ type: "companion.story_posted", payload: { storyId, companionId }, createdAt: expect.any(String) });
    await new Promise((r) => setTimeout(r, 100));
    expect(strangerEvents.received).toEqual([]);
    fanEvents.unsubscribe();
    strangerEvents.unsubscribe();
  });

  it("replays exactly the missed events after an explicit lastEventId, then continues live", async () => {
    const me = await signUp("Replay");
    const first = recordEvents(me.api);
    await first.started;
    for (let i = 1; i <= 2; i++) await notify(me.id, i);
    const seen = await first.waitFor(2);
    first.unsubscribe();
    const lastEventId = seen[1]?.id;

    // Disconnected: these three must come back, in order, and nothing before them.
    const missed = [];
    for (let i = 3; i <= 5; i++) missed.push(await notify(me.id, i));

    const second = recordEvents(me.api, { lastEventId });
    await second.started;
    const replayed = await second.waitFor(3);
    expect(replayed.map((e) => e.id)).toEqual(missed.map((m) => String(m.eventId)));

    const live = await notify(me.id, 6);
    const all = await second.waitFor(4);
    await new Promise((r) => setTimeout(r, 100));
    second.unsubscribe();
    expect(all.map((e) => e.id)).toEqual([...missed, live].map((m) => String(m.eventId)));
    expect(all.map((e) => (e.data.type === "notification.created" ? e.data.payload.data.n : null))).toEqual([3, 4, 5, 6]);
  });

  it("resuming from an event id retention has passed yields a resync notice first, then the rest", async () => {
    const me = await signUp("Pruned");
    const [seen, missed, kept] = [await notify(me.id, 1), await notify(me.id, 2), await notify(me.id, 3)];
    // The client saw the first, then went away for longer than the retention: the second
    // (never delivered) and the first are pruned, the third is young enough to stay.
    await pruneAsExpired([seen.eventId, missed.eventId]);

    const resumed = recordEvents(me.api, { lastEventId: String(seen.eventId) });
    await resumed.started;
    await resumed.waitFor(2);
    const live = await notify(me.id, 4);
    const all = await resumed.waitFor(3);
    await new Promise((r) => setTimeout(r, 100));
    resumed.unsubscribe();
    // The notice is tracked with the id resumed from: a reconnect before the next event asks again.
    expect(all.map((e) => e.id)).toEqual([String(seen.eventId), String(kept.eventId), String(live.eventId)]);
    expect(all[0]?.data).toEqual({ type: "resync", reason: "events-pruned" });
    expect(all.slice(1).map((e) => e.data.type)).toEqual(["notification.created", "notification.created"]);
    expect(resumed.errors).toEqual([]);
  });

  it("resuming from an event id at or after the retention watermark yields no resync notice", async () => {
    const me = await signUp("Recent");
    const old = await notify(me.id, 0);
    await pruneAsExpired([old.eventId]);
    const a = await notify(me.id, 1);
    const b = await notify(me.id, 2);

    // Exactly at the watermark: nothing after it was pruned, so the replay is complete.
    const atWatermark = recordEvents(me.api, { lastEventId: String(old.eventId) });
    await atWatermark.started;
    await atWatermark.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    atWatermark.unsubscribe();
    expect(atWatermark.received.map((e) => e.id)).toEqual([String(a.eventId), String(b.eventId)]);

    // A recent id: the replay (here: nothing) and live events, no notice.
    const recent = recordEvents(me.api, { lastEventId: String(b.eventId) });
    await recent.started;
    const live = await notify(me.id, 3);
    await recent.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    recent.unsubscribe();
    expect(recent.received.map((e) => e.id)).toEqual([String(live.eventId)]);
    expect(recent.received.map((e) => e.data.type)).toEqual(["notification.created"]);
    expect([...atWatermark.errors, ...recent.errors]).toEqual([]);
  });

  it("the tRPC client resumes by itself with the last event id when the connection drops", async () => {
    const me = await signUp("Resume");
    const sockets = new Set<Socket>();
    const resumedWith: (string | null)[] = [];
    const onRequest = (req: IncomingMessage) => {
      if (!req.url?.startsWith("/trpc/events.subscribe")) return;
      sockets.add(req.socket);
      resumedWith.push(req.headers["last-event-id"]?.toString() ?? null);
    };
    t.server.app.server.on("request", onRequest);
    try {
      const sub = recordEvents(me.api);
      await sub.started;
      const before = await notify(me.id, 1);
      await sub.waitFor(1);

      // Cut the stream's connection; the EventSource retries after ~3 s, carrying Last-Event-ID.
      for (const s of sockets) s.destroy();
      const missed = [await notify(me.id, 2), await notify(me.id, 3)];
      await sub.waitFor(3, 15_000);
      const after = await notify(me.id, 4);
      const all = await sub.waitFor(4);
      await new Promise((r) => setTimeout(r, 100));
      sub.unsubscribe();

      expect(all.map((e) => e.id)).toEqual([before, ...missed, after].map((m) => String(m.eventId)));
      expect(resumedWith).toEqual([null, String(before.eventId)]);
    } finally {
      t.server.app.server.off("request", onRequest);
    }
  }, 30_000);

  it("refuses anonymous subscribers and a malformed lastEventId", async () => {
    const anonymous = recordEvents(t.client());
    await settle(() => anonymous.errors.length, (n) => n > 0);
    anonymous.unsubscribe();
    expect(anonymous.errors[0]).toMatchObject({ data: { code: "UNAUTHORIZED" } });

    const me = await signUp("Bad");
    const bad = recordEvents(me.api, { lastEventId: "12abc" });
    await settle(() => bad.errors.length, (n) => n > 0);
    bad.unsubscribe();
    expect(bad.errors[0]).toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect(await settle(hubListeners, (n) => n === 0)).toBe(0);
  });

  it("1,000 connect/disconnect cycles leave listeners, SSE responses and handles at their baseline", async () => {
    const me = await signUp("Cycles");
    const settleAll = async () => ({
      hubListeners: await settle(hubListeners, (n) => n === 0),
      inflight: await settle(() => t.server.app.inflightCount(), (n) => n === 0),
    });
    const cycle = async () => {
      const sub = recordEvents(me.api);
      await sub.started;
      sub.unsubscribe();
    };
    const cycles = 1_000;
    const parallel = 10;
    const round = () => Promise.all(Array.from({ length: parallel }, cycle));
    // Warm up first: the database pool grows to its working size on demand, and sockets
    // it keeps are not leaks. Then let idle HTTP keep-alive sockets (5 s) expire.
    await round();
    await new Promise((r) => setTimeout(r, 5_500));
    const baseline = { ...(await settleAll()), handles: process.getActiveResourcesInfo().length };

    const started = Date.now();
    for (let i = 0; i < cycles; i += parallel) await round();
    // One more that stays connected: it must still work after the churn.
    const survivor = recordEvents(me.api);
    await survivor.started;
    expect(hubListeners()).toBe(1);
    const note = await notify(me.id, 1);
    expect((await survivor.waitFor(1))[0]?.id).toBe(String(note.eventId));
    survivor.unsubscribe();

    const after = {
      ...(await settleAll()),
      // Idle keep-alive sockets of the test's own HTTP client may linger for a few seconds.
      handles: await settle(() => process.getActiveResourcesInfo().length, (n) => n <= baseline.handles),
    };
    console.info(
      `[realtime] ${cycles} subscribe/unsubscribe cycles in ${Date.now() - started} ms: ` +
        `baseline ${JSON.stringify(baseline)}, after ${JSON.stringify(after)}`,
    );
    expect(after.hubListeners).toBe(0);
    expect(after.inflight).toBe(0);
    expect(after.handles, process.getActiveResourcesInfo().join(",")).toBeLessThanOrEqual(baseline.handles);
  }, 180_000);

  it("an idle subscription outlives the request timeout on the keep-alive's pings, on one connection", async () => {
    const s = await startTestServer({ REQUEST_TIMEOUT_MS: "1000", SSE_KEEPALIVE_MS: "200" });
    const requests: string[] = [];
    const onRequest = (req: IncomingMessage) => {
      if (req.url?.startsWith("/trpc/events.subscribe")) requests.push(req.url);
    };
    s.server.app.server.on("request", onRequest);
    try {
      const { api } = s.session();
      const { user } = await api.auth.register.mutate({ email: uniqueEmail("Idle"), password: "password-1234", displayName: "Idle" });
      const sub = recordEvents(api);
      await sub.started;
      // Silent for 2.5 idle timeouts: without pings the server cuts the stream at 1 s.
      await new Promise((r) => setTimeout(r, 2_500));
      const note = await notify(user.id, 1, s.database.db);
      const [event] = await sub.waitFor(1, 1_000);
      sub.unsubscribe();
      expect(event?.id).toBe(String(note.eventId));
      // The pings never reach onData, and the client never had to reconnect.
      expect(sub.received).toHaveLength(1);
      expect(sub.errors).toEqual([]);
      expect(requests).toHaveLength(1);
    } finally {
      s.server.app.server.off("request", onRequest);
      await s.stop();
    }
  });

  it("server shutdown ends open subscriptions and closes the hub", async () => {
    const s = await startTestServer();
    const { api } = s.session();
    await api.auth.register.mutate({ email: uniqueEmail("Down"), password: "password-1234", displayName: "Down" });
    const subs = [recordEvents(api), recordEvents(api)];
    await Promise.all(subs.map((x) => x.started));
    expect(s.server.runtime.services.eventHub.stats()).toEqual({ listeners: 2, users: 1 });
    await s.stop();
    expect(s.server.runtime.services.eventHub.stats()).toEqual({ listeners: 0, users: 0 });
    expect(await settle(() => s.server.app.inflightCount(), (n) => n === 0, 2_000)).toBe(0);
    expect(() => s.server.runtime.services.eventHub.subscribe(crypto.randomUUID(), () => {})).toThrow(/closed/);
    for (const x of subs) x.unsubscribe();
  });
});
