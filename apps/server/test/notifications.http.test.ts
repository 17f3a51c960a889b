/**
 * Notifications through packages/client over HTTP: raised by jobs after a follow, story
 * reactions (one per story and hour, counting reactors) and a companion's story; delivered
 * live on events.subscribe with the unread count; muting; another user's notifications stay
 * out of reach; keyset paging; Web Push (VAPID, encrypted) to a local push endpoint.
 */
import { createECDH, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { notifications, publishCompanionStory, pushDevices } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./harness.ts";
import { recordEvents } from "./realtime-client.ts";
import { postStory, startSocialServer } from "./social-fixtures.ts";
import { connect, createCompanion, signUp, type SignedInUser } from "./story-fixtures.ts";

interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A stand-in push service: records each POST; `/gone/…` answers 410 like a dead subscription. */
async function startPushEndpoint(): Promise<{ url: string; received: PushRequest[]; server: Server }> {
  const received: PushRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(req.url?.startsWith("/gone/") ? 410 : 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** A VAPID key pair as `web-push generate-vapid-keys` prints it (P-256, base64url). */
function vapidKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey().toString("base64url"), privateKey: ecdh.getPrivateKey().toString("base64url") };
}

/** What a browser's PushSubscription.toJSON() gives for an endpoint. */
function subscription(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { platform: "web" as const, endpoint, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") } };
}

let t: TestServer;
let push: Awaited<ReturnType<typeof startPushEndpoint>>;
beforeAll(async () => {
  push = await startPushEndpoint();
  const vapid = vapidKeys();
  t = await startSocialServer({
    WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
    WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    WEB_PUSH_SUBJECT: "mailto:ops@example.com",
    WEB_PUSH_ALLOW_HTTP: "true",
  });
});
afterAll(async () => {
  await t.stop();
  await new Promise((resolve) => push.server.close(resolve));
});

const unread = async (u: SignedInUser) => (await u.api.notifications.unreadCount.query()).unreadCount;
const storedFor = (userId: string) => t.database.db.select({ id: notifications.id, kind: notifications.kind }).from(notifications).where(eq(notifications.userId, userId));

describe("notifications", () => {
  it("a follow notifies the followee live with the unread count; readAll clears it", async () => {
    const [ana, bo] = [await signUp(t, "Ana"), await signUp(t, "Bo")];
    const sub = recordEvents(bo.api);
    await sub.started;
    await ana.api.social.follow.mutate({ userId: bo.id });
    // Written by the job, not by the follow's request.
    const [event] = await sub.waitFor(1);
    sub.unsubscribe();
    expect(event?.data).toMatchObject({
      type: "notification.created",
      payload: { kind: "follow", data: { followerId: ana.id, followerName: "Ana" }, unreadCount: 1 },
    });
    expect(await unread(bo)).toBe(1);
    const { items } = await bo.api.notifications.list.query({});
    expect(items).toEqual([
      { id: expect.any(String), kind: "follow", data: { followerId: ana.id, followerName: "Ana" }, text: "Ana started following you", createdAt: expect.any(String), readAt: null },
    ]);
    // Following again (idempotent) raises nothing new; nor does my own follow tell me.
    await ana.api.social.follow.mutate({ userId: bo.id });
    await t.settle();
    expect(await unread(bo)).toBe(1);
    expect(await unread(ana)).toBe(0);

    expect(await bo.api.notifications.readAll.mutate()).toEqual({ marked: 1, unreadCount: 0 });
    expect(await unread(bo)).toBe(0);
    expect((await bo.api.notifications.list.query({})).items[0]?.readAt).toEqual(expect.any(String));
  });

  it("a muted kind is neither stored nor delivered; unmuting brings it back", async () => {
    const [me, fan1, fan2] = [await signUp(t, "Muter"), await signUp(t, "Fan1"), await signUp(t, "Fan2")];
    expect(await me.api.notifications.updatePreferences.mutate({ muted: { follow: true } })).toEqual({
      kinds: [
        { kind: "follow", muted: true },
        { kind: "story_reaction", muted: false },
        { kind: "companion_story", muted: false },
        { kind: "companion_message", muted: false },
        { kind: "digest_ready", muted: false },
        { kind: "story_reply", muted: false },
        { kind: "data_export_ready", muted: false },
      ],
    });
    const sub = recordEvents(me.api);
    await sub.started;
    await fan1.api.social.follow.mutate({ userId: me.id });
    await t.settle();
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.received).toEqual([]);
    expect(await storedFor(me.id)).toEqual([]);
    expect(await unread(me)).toBe(0);

    await me.api.notifications.updatePreferences.mutate({ muted: { follow: false } });
    expect((await me.api.notifications.preferences.query()).kinds.find((k) => k.kind === "follow")).toEqual({ kind: "follow", muted: false });
    await fan2.api.social.follow.mutate({ userId: me.id });
    await sub.waitFor(1);
    sub.unsubscribe();
    expect(await unread(me)).toBe(1);
  });

  it("nobody reads or marks another user's notifications", async () => {
    const [me, fan, snoop] = [await signUp(t, "Owner"), await signUp(t, "Follower"), await signUp(t, "Snoop")];
    await fan.api.social.follow.mutate({ userId: me.id });
    await t.settle();
    const [mine] = (await me.api.notifications.list.query({})).items;
    if (!mine) throw new Error("no notification");

    expect(await snoop.api.notifications.read.mutate({ ids: [mine.id] })).toEqual({ marked: 0, unreadCount: 0 });
    expect((await snoop.api.notifications.list.query({})).items).toEqual([]);
    expect(await unread(snoop)).toBe(0);
    expect(await snoop.api.notifications.readAll.mutate()).toEqual({ marked: 0, unreadCount: 0 });
    expect(await unread(me)).toBe(1);
    expect((await me.api.notifications.list.query({})).items[0]?.readAt).toBeNull();
  });

  it("reactions from 4 users within the hour make one notification counting them, naming the latest", async () => {
    const author = await signUp(t, "Author");
    const story = await postStory(t, author, { visibility: "public" }, 2);
    const [first, second] = story.slides.map((s) => s.id);
    if (!first || !second) throw new Error("two slides expected");
    const early = [await signUp(t, "Cy"), await signUp(t, "Di"), await signUp(t, "Ed")];
    for (const u of early) await u.api.stories.react.mutate({ mediaId: first, emoji: "🔥" });
    await t.settle();
    const ana = await signUp(t, "Ana");
    await ana.api.stories.react.mutate({ mediaId: first, emoji: "❤️" });
    // The same reactor on another slide, and changing an emoji, count nobody new.
    await ana.api.stories.react.mutate({ mediaId: second, emoji: "❤️" });
    await early[0]?.api.stories.react.mutate({ mediaId: first, emoji: "😂" });
    // My own reaction never notifies me.
    await author.api.stories.react.mutate({ mediaId: first, emoji: "👏" });
    await t.settle();
    // A job of the same payload run again (a retry) does not count Ana twice.
    await t.server.runtime.jobs.send("notifications.story-reaction", { storyId: story.id, reactorId: ana.id });
    await t.settle();

    const { items } = await author.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: "story_reaction",
      data: { storyId: story.id, reactorCount: 4, lastReactor: { id: ana.id, displayName: "Ana" } },
      text: "Ana and 3 others reacted to your story",
      readAt: null,
    });
    expect(await unread(author)).toBe(1);
  });

  it("a companion's story notifies its connected users only", async () => {
    const companionId = await createCompanion(t.database.db, "Luna");
    const [fan, other, stranger] = [await signUp(t, "LunaFan"), await signUp(t, "LunaFan2"), await signUp(t, "Stranger")];
    await connect(t.database.db, fan.id, companionId);
    await connect(t.database.db, other.id, companionId);
    const sub = recordEvents(fan.api);
    await sub.started;
    const jobs = t.server.runtime.jobs;
    const { storyId } = await publishCompanionStory(t.database.db, {
      companionId,
      slides: [{ kind: "image", mediaKey: "test/luna/1.svg" }],
      onPublished: async (tx, story) => void (await jobs.enqueue(tx, "notifications.companion-story", story)),
    });
    await t.settle();
    // Run again: once per user and story.
    await jobs.send("notifications.companion-story", { storyId, companionId });
    await t.settle();
    for (const u of [fan, other]) {
      const { items } = await u.api.notifications.list.query({});
      expect(items.map((n) => [n.kind, n.data, n.text])).toEqual([["companion_story", { storyId, companionId, companionName: "Luna" }, "Luna posted a story"]]);
    }
    expect(await unread(stranger)).toBe(0);
    const events = await sub.waitFor(2);
    sub.unsubscribe();
    expect(events.map((e) => e.data.type).sort()).toEqual(["companion.story_posted", "notification.created"]);
  });

  it("a follow job run twice creates one notification", async () => {
    const [a, b] = [await signUp(t, "Twice"), await signUp(t, "Target")];
    await a.api.social.follow.mutate({ userId: b.id });
    await t.settle();
    await t.server.runtime.jobs.send("notifications.follow", { followerId: a.id, followeeId: b.id });
    await t.server.runtime.jobs.send("notifications.follow", { followerId: a.id, followeeId: b.id });
    await t.settle();
    expect(await storedFor(b.id)).toHaveLength(1);
    // A follow that no longer exists tells nobody.
    await a.api.social.unfollow.mutate({ userId: b.id });
    const c = await signUp(t, "Gone");
    await t.server.runtime.jobs.send("notifications.follow", { followerId: a.id, followeeId: c.id });
    await t.settle();
    expect(await storedFor(c.id)).toEqual([]);
  });

  it("lists newest first in keyset pages; read({ ids }) marks only those", async () => {
    const me = await signUp(t, "Popular");
    const fans: SignedInUser[] = [];
    for (let i = 0; i < 5; i++) {
      const fan = await signUp(t, `Pager${i}`);
      await fan.api.social.follow.mutate({ userId: me.id });
      await t.settle(); // one at a time: distinct creation times, in this order
      fans.push(fan);
    }
    const seen: string[] = [];
    const names: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await me.api.notifications.list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const n of page.items) {
        seen.push(n.id);
        if (n.kind === "follow") names.push(n.data.followerName);
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(names).toEqual(["Pager4", "Pager3", "Pager2", "Pager1", "Pager0"]);
    expect(new Set(seen).size).toBe(5);

    const [newest, second] = seen;
    if (!newest || !second) throw new Error("missing notifications");
    expect(await me.api.notifications.read.mutate({ ids: [newest, second] })).toEqual({ marked: 2, unreadCount: 3 });
    const { items } = await me.api.notifications.list.query({});
    expect(items.map((n) => n.readAt !== null)).toEqual([true, true, false, false, false]);
    // Marking again changes nothing.
    expect(await me.api.notifications.read.mutate({ ids: [newest] })).toEqual({ marked: 0, unreadCount: 3 });
    await expect(me.api.notifications.list.query({ cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject({ data: { httpStatus: 400 } });
  });

  it("pushes over Web Push with VAPID and an encrypted body; a 410 removes the device", async () => {
    const [me, fan1, fan2] = [await signUp(t, "Phone"), await signUp(t, "PushFan1"), await signUp(t, "PushFan2")];
    const okPath = `/ok/${randomBytes(4).toString("hex")}`;
    // The key a browser subscribes with is the server's VAPID public key.
    expect(await me.api.notifications.pushConfig.query()).toEqual({ webPush: { vapidPublicKey: expect.stringMatching(/^[A-Za-z0-9_-]{80,}$/) } });
    const { deviceId } = await me.api.notifications.registerDevice.mutate(subscription(push.url + okPath));
    // Registering the same subscription again is the same device.
    expect((await me.api.notifications.registerDevice.mutate(subscription(push.url + okPath))).deviceId).toBe(deviceId);

    await fan1.api.social.follow.mutate({ userId: me.id });
    await t.settle();
    const arrived = push.received.filter((r) => r.path === okPath);
    expect(arrived).toHaveLength(1);
    const [request] = arrived;
    expect(request?.headers.authorization).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    expect(request?.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(request?.headers.ttl)).toBeGreaterThan(0);
    expect(request?.body.length).toBeGreaterThan(86); // aes128gcm header (86 bytes) plus ciphertext
    expect(request?.body.toString("latin1")).not.toContain("following"); // encrypted, not the text

    const gonePath = `/gone/${randomBytes(4).toString("hex")}`;
    const gone = await me.api.notifications.registerDevice.mutate(subscription(push.url + gonePath));
    await fan2.api.social.follow.mutate({ userId: me.id });
    await t.settle();
    expect(push.received.filter((r) => r.path === gonePath)).toHaveLength(1);
    expect(push.received.filter((r) => r.path === okPath)).toHaveLength(2);
    const devices = await t.database.db.select({ id: pushDevices.id }).from(pushDevices).where(eq(pushDevices.userId, me.id));
    expect(devices.map((d) => d.id)).toEqual([deviceId]);
    expect(devices.map((d) => d.id)).not.toContain(gone.deviceId);

    expect(await me.api.notifications.unregisterDevice.mutate({ deviceId })).toEqual({ deviceId, removed: true });
    expect(await me.api.notifications.unregisterDevice.mutate({ deviceId })).toEqual({ deviceId, removed: false });
  });
});
