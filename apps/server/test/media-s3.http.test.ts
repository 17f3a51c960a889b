/**
 * Media on S3, end to end: the real server with S3_* pointing at a real S3-compatible server
 * on loopback (s3rver, which checks SigV4 signatures, signed headers and expiry), driven
 * through packages/client and plain HTTP the way an app uploads and shows a story. Then an
 * S3 that is down or hangs: 503 with Retry-After for the call that needs it, and /readyz
 * stays ready, reporting S3 as down.
 */
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { isTRPCClientError } from "@companion/client";
import { stories } from "@companion/db";
import { startTestS3, type TestS3 } from "@companion/storage/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";
import { signUp, type SignedInUser } from "./story-fixtures.ts";

const TTL = 60;
const nowSec = () => Math.floor(Date.now() / 1000);

/** When a presigned URL stops working: its X-Amz-Date plus X-Amz-Expires. */
function presignedExpiry(url: string): number {
  const q = new URL(url).searchParams;
  const [, y, mo, d, h, mi, s] = (/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get("X-Amz-Date") ?? "") ?? []).map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s) / 1000 + Number(q.get("X-Amz-Expires"));
}

describe("media on S3", () => {
  let s3: TestS3;
  let t: TestServer;
  let alice: SignedInUser;
  let bob: SignedInUser;
  let publicEndpoint: string;

  beforeAll(async () => {
    s3 = await startTestS3();
    // The server calls the store at 127.0.0.1, clients are told localhost: as in docker-compose
    // (minio:9000 inside, localhost:9000 for a browser), both reach the same store.
    publicEndpoint = `http://localhost:${s3.port}`;
    t = await startTestServer({ ...s3.env, S3_PUBLIC_ENDPOINT: publicEndpoint, MEDIA_URL_TTL_SEC: String(TTL), RATE_UPLOAD_PER_MIN: "1000" });
    [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
  });
  afterAll(async () => {
    await t.stop();
    await s3.close();
  });

  async function upload(user: SignedInUser, bytes: Buffer): Promise<string> {
    const up = await user.api.media.createUpload.mutate({ contentType: "image/png", byteSize: bytes.length });
    expect(up.uploadUrl.startsWith(`${publicEndpoint}/${s3.bucket}/${up.mediaKey}?`)).toBe(true);
    const put = (body: Buffer, type: string) => fetch(up.uploadUrl, { method: "PUT", body: new Uint8Array(body), headers: { "content-type": type } });
    // The bucket itself enforces the signed type and size.
    expect((await put(bytes, "image/gif")).status).toBe(403);
    expect((await put(bytes, up.headers["content-type"] ?? "")).status).toBe(200);
    const done = await user.api.media.completeUpload.mutate({ mediaKey: up.mediaKey });
    expect(done).toMatchObject({ mediaKey: up.mediaKey, uploaded: true });
    expect(done.url.startsWith(`${publicEndpoint}/`)).toBe(true);
    return up.mediaKey;
  }

  it("uploads through a presigned PUT, and the story's slide URLs are presigned GETs that answer with the bytes", async () => {
    const bytes = randomBytes(4096);
    const key = await upload(alice, bytes);
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "private", audienceUserIds: [bob.id] });

    const feed = await alice.api.stories.feed.query({ limit: 10 });
    const fromFeed = feed.items.find((s) => s.id === story.id)?.slides[0]?.url ?? "";
    const fromById = (await bob.api.stories.byId.query({ storyId: story.id })).slides[0]?.url ?? "";
    for (const url of [fromFeed, fromById]) {
      expect(url.startsWith(`${publicEndpoint}/${s3.bucket}/${key}?`)).toBe(true);
      // Not public: the URL is short-lived; S3 cannot ask whether the story still exists.
      expect(presignedExpiry(url) - nowSec()).toBeGreaterThanOrEqual(TTL - 2);
      expect(presignedExpiry(url) - nowSec()).toBeLessThanOrEqual(TTL + TTL / 5);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect(fromById).toBe(fromFeed);

    const pub = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "public" });
    const pubUrl = pub.slides[0]?.url ?? "";
    expect(presignedExpiry(pubUrl) - nowSec()).toBeGreaterThanOrEqual(3600 - 2);
    expect(presignedExpiry(pubUrl) - nowSec()).toBeLessThanOrEqual(7200);
    expect((await fetch(pubUrl)).status).toBe(200);
  });

  it("after a story is gone, its media is purged from the bucket and its URLs answer 404", async () => {
    const key = await upload(alice, randomBytes(64));
    const story = await alice.api.stories.create.mutate({ mediaKeys: [key], visibility: "friends" });
    const url = story.slides[0]?.url ?? "";
    expect((await fetch(url)).status).toBe(200);

    await t.database.db.update(stories).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(stories.id, story.id));
    // A presigned URL works until the object is gone: the expiry job enqueues its purge.
    expect((await fetch(url)).status).toBe(200);
    await t.runJob("stories.expire");
    expect((await fetch(url)).status).toBe(404);
    expect((await alice.api.stories.feed.query({ limit: 50 })).items.map((s) => s.id)).not.toContain(story.id);
  });

  it("reports S3 up in /readyz", async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ready", dependencies: { database: { status: "up" }, s3: { status: "up", required: false } } });
  });
});

describe("S3 outage", () => {
  let closed: TestServer;
  let hanging: TestServer;
  let blackhole: Server;
  const sockets = new Set<Socket>();
  const answers: Array<{ status: number; retryAfter: string | null }> = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    answers.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
    return res;
  };

  beforeAll(async () => {
    const s3 = await startTestS3();
    const env = s3.env;
    await s3.close(); // nothing listens on its port any more
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    [closed, hanging] = await Promise.all([
      startTestServer(env),
      startTestServer({ ...env, S3_ENDPOINT: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}` }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([closed.stop(), hanging.stop()]);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  async function codeOf(p: Promise<unknown>): Promise<{ code: string; retryAfterMs: number | null }> {
    try {
      await p;
      return { code: "OK", retryAfterMs: null };
    } catch (err) {
      if (!isTRPCClientError(err)) throw err;
      return { code: err.data?.code ?? "?", retryAfterMs: err.data?.retryAfterMs ?? null };
    }
  }

  it("media.completeUpload answers 503 SERVICE_UNAVAILABLE with Retry-After, quickly, and /readyz stays ready with s3 down", async () => {
    for (const server of [closed, hanging]) {
      const { api } = server.session({ fetch: recordingFetch });
      await api.auth.register.mutate({ email: `s3-down-${randomBytes(4).toString("hex")}@example.com`, password: "password-1234", displayName: "Down" });
      // Presigning needs no store: asking for an upload URL still works.
      const up = await api.media.createUpload.mutate({ contentType: "image/png", byteSize: 10 });
      const started = Date.now();
      answers.length = 0;
      const result = await codeOf(api.media.completeUpload.mutate({ mediaKey: up.mediaKey }));
      expect(Date.now() - started).toBeLessThan(4000);
      expect(result.code).toBe("SERVICE_UNAVAILABLE");
      expect(result.retryAfterMs).toBeGreaterThan(0);
      expect(answers).toEqual([{ status: 503, retryAfter: "5" }]);

      const readyStarted = Date.now();
      const ready = await fetch(`${server.url}/readyz`);
      expect(Date.now() - readyStarted).toBeLessThan(2000);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: "degraded",
        dependencies: { database: { status: "up", required: true }, s3: { status: "down", required: false } },
      });
    }
  });

  it("keeps readiness cheap: a hanging probe costs its timeout once, then the result is reused for a second", async () => {
    const started = Date.now();
    const [a, b] = await Promise.all([fetch(`${hanging.url}/readyz`), fetch(`${hanging.url}/readyz`)]);
    const again = await fetch(`${hanging.url}/readyz`);
    expect([a.status, b.status, again.status]).toEqual([200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(1800);
  });
});
