/**
 * Reading users' media on local storage (the embedded default): slide URLs are signed per
 * story and audience, refused once the story is gone, and support Range for video. Through
 * packages/client for the API, plain HTTP for the media, as an app or a browser does.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stories } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { rawRequest } from "./raw-http.ts";
import { signUp, type SignedInUser } from "./story-fixtures.ts";

let t: TestServer;
let mediaDir: string;
let alice: SignedInUser;
let bob: SignedInUser;
const TTL = 60;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), "companion-media-access-"));
  t = await startTestServer({ MEDIA_DIR: mediaDir, MEDIA_URL_TTL_SEC: String(TTL), RATE_UPLOAD_PER_MIN: "1000", RATE_STORY_CREATE_PER_MIN: "1000" });
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

async function upload(user: SignedInUser, contentType: "image/png" | "video/mp4", bytes: Buffer): Promise<string> {
  const up = await user.api.media.createUpload.mutate({ contentType, byteSize: bytes.length });
  const res = await fetch(new URL(up.uploadUrl, t.url), { method: "PUT", body: new Uint8Array(bytes), headers: up.headers });
  expect(res.status).toBe(200);
  return up.mediaKey;
}

const slideUrls = (story: { slides: Array<{ url: string }> }) => story.slides.map((s) => s.url);
const get = (url: string, init?: RequestInit) => fetch(new URL(url, t.url), init);
const bodyOf = async (res: Response) => Buffer.from(await res.arrayBuffer());
const nowSec = () => Math.floor(Date.now() / 1000);

describe("media of a story that is not public", () => {
  it("is served only through a short-lived signed URL, never cached, to anyone holding it", async () => {
    const bytes = randomBytes(3000);
    const key = await upload(alice, "image/png", bytes);
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "private", audienceUserIds: [bob.id] });
    const [url] = slideUrls(story);
    expect(url).toMatch(new RegExp(`^/media/${key}\\?story=${story.id}&expires=(\\d+)&sig=[\\w-]{43}$`));
    const expires = Number(new URL(url ?? "", t.url).searchParams.get("expires"));
    expect(expires - nowSec()).toBeGreaterThanOrEqual(TTL - 2);
    expect(expires - nowSec()).toBeLessThanOrEqual(TTL + TTL / 5);

    // The audience gets it from the API; the URL itself needs no session (an <img> sends none).
    const seenByBob = await bob.api.stories.byId.query({ storyId: story.id });
    for (const u of [url ?? "", ...slideUrls(seenByBob)]) {
      const res = await get(u);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("content-type")).toBe("image/png");
      expect((await bodyOf(res)).equals(bytes)).toBe(true);
    }
    // The feed hands out the same URL within its step (a fifth of the TTL), so a client's cache
    // still helps; if the calls above crossed a step boundary, it hands out the next step's.
    const feed = await alice.api.stories.feed.query({ limit: 10 });
    const [feedUrl] = slideUrls(feed.items.find((s) => s.id === story.id) ?? { slides: [] });
    const feedExpires = Number(new URL(feedUrl ?? "", t.url).searchParams.get("expires"));
    if (feedExpires === expires) expect(feedUrl).toBe(url);
    else expect(feedExpires).toBe(expires + TTL / 5);
  });

  it("is refused without a valid signature, after the URL expires, and for another key or story", async () => {
    const key = await upload(alice, "image/png", randomBytes(100));
    const other = await upload(alice, "image/png", randomBytes(100));
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "friends" });
    const url = new URL(slideUrls(story)[0] ?? "", t.url);

    expect((await get(`/media/${key}`)).status).toBe(403);
    const tamper = (change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      return get(u.pathname + u.search);
    };
    expect((await tamper((u) => u.searchParams.set("expires", String(nowSec() + 86_400)))).status).toBe(403);
    expect((await tamper((u) => u.searchParams.set("story", "00000000-0000-4000-8000-000000000000"))).status).toBe(403);
    expect((await tamper((u) => u.searchParams.delete("story"))).status).toBe(403);
    expect((await tamper((u) => (u.pathname = `/media/${other}`))).status).toBe(403);

    // The server's own signer: a URL for the right story whose time is up, and one for a story
    // that does not have this key among its slides.
    const local = t.server.runtime.localMedia;
    if (!local) throw new Error("expected local media storage");
    const expired = await local.readUrl(key, { story: story.id, expires: nowSec() - 1 });
    const res = await get(expired);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Media URL expired" });
    expect((await get(await local.readUrl(other, { story: story.id, expires: nowSec() + 60 }))).status).toBe(404);
  });

  it("stops being served once its story is deleted or expires, even while the key lives on elsewhere", async () => {
    const bytes = randomBytes(500);
    const key = await upload(alice, "image/png", bytes);
    const hidden = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "private" });
    const shared = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "friends" });
    const [hiddenUrl] = slideUrls(hidden);
    const [sharedUrl] = slideUrls(shared);
    expect((await get(hiddenUrl ?? "")).status).toBe(200);

    await alice.api.stories.delete.mutate({ storyId: hidden.id });
    const gone = await get(hiddenUrl ?? "");
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: "Not found" });
    // The same bytes in a story that is still live stay readable through that story's URL.
    expect((await bodyOf(await get(sharedUrl ?? ""))).equals(bytes)).toBe(true);

    // Expiry needs no job: past expires_at the URL is refused.
    await t.database.db.update(stories).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(stories.id, shared.id));
    expect((await get(sharedUrl ?? "")).status).toBe(404);
  });
});

describe("media of a public story", () => {
  it("has a signed URL that lives at most two hours and may be cached publicly until then", async () => {
    const key = await upload(alice, "image/png", randomBytes(200));
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "public" });
    const url = new URL(slideUrls(story)[0] ?? "", t.url);
    const expires = Number(url.searchParams.get("expires"));
    expect(expires % 3600 === 0 || expires === Math.floor(new Date(story.expiresAt).getTime() / 1000)).toBe(true);
    expect(expires - nowSec()).toBeGreaterThanOrEqual(3600 - 2);
    expect(expires - nowSec()).toBeLessThanOrEqual(7200);
    const res = await get(url.pathname + url.search);
    expect(res.status).toBe(200);
    const maxAge = Number(/^public, max-age=(\d+)$/.exec(res.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(Math.min(3600, expires - nowSec() + 1));

    await alice.api.stories.delete.mutate({ storyId: story.id });
    expect((await get(url.pathname + url.search)).status).toBe(404);
  });
});

describe("video slides on local storage", () => {
  it("seek with Range, revalidate with ETag, and answer HEAD", async () => {
    const bytes = randomBytes(64 * 1024);
    const key = await upload(alice, "video/mp4", bytes);
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "private" });
    expect(story.slides[0]?.kind).toBe("video");
    const url = new URL(slideUrls(story)[0] ?? "", t.url);
    const path = url.pathname + url.search;

    const part = await rawRequest(t.url, path, { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(part.headers["content-type"]).toBe("video/mp4");
    expect(part.headers["accept-ranges"]).toBe("bytes");
    expect(part.headers["cache-control"]).toBe("private, no-store");
    expect(part.body.equals(bytes.subarray(1000, 2000))).toBe(true);
    // Safari's first probe.
    const probe = await rawRequest(t.url, path, { headers: { range: "bytes=0-1" } });
    expect(probe.status).toBe(206);
    expect(probe.body.equals(bytes.subarray(0, 2))).toBe(true);

    const etag = part.headers.etag ?? "";
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect((await rawRequest(t.url, path, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await rawRequest(t.url, path, { headers: { range: "bytes=10-19", "if-range": etag } })).status).toBe(206);
    expect((await rawRequest(t.url, path, { headers: { range: "bytes=10-19", "if-range": '"old"' } })).status).toBe(200);
    expect((await rawRequest(t.url, path, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416);

    const head = await rawRequest(t.url, path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(bytes.length));
    expect(head.body.length).toBe(0);

    // A range of a URL that is refused is refused like the whole.
    await alice.api.stories.delete.mutate({ storyId: story.id });
    expect((await rawRequest(t.url, path, { headers: { range: "bytes=0-1" } })).status).toBe(404);
  });
});
