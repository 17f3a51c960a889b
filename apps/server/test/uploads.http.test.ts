/**
 * Media uploads on the embedded default (local disk), through packages/client and plain
 * HTTP PUT/GET, the way an app uploads: ask for a URL, PUT the bytes, put the key in a story.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { assertOwnedUploads, mediaUploads, stories, storyMedia, withUser } from "@companion/db";
import { DomainError } from "@companion/errors";
import { eq, inArray } from "drizzle-orm";
import { isTRPCClientError, type CompanionClient, type RouterInputs } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

interface SignedInUser {
  id: string;
  api: CompanionClient;
}

let t: TestServer;
let mediaDir: string;
let alice: SignedInUser;
let bob: SignedInUser;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), "companion-media-http-"));
  t = await startTestServer({ MEDIA_DIR: mediaDir, RATE_UPLOAD_PER_MIN: "1000" });
  [alice, bob] = await Promise.all([signUp(t, "Alice"), signUp(t, "Bob")]);
});
afterAll(async () => {
  await t.stop();
  await rm(mediaDir, { recursive: true, force: true });
});

type UploadInput = RouterInputs["media"]["createUpload"];

async function signUp(server: TestServer, name: string): Promise<SignedInUser> {
  const { api } = server.session();
  const session = await api.auth.register.mutate({ email: uniqueEmail(name), password: "password-1234", displayName: name });
  return { id: session.user.id, api };
}

async function failureOf(p: Promise<unknown>): Promise<{ code: string | undefined }> {
  try {
    await p;
  } catch (err) {
    if (isTRPCClientError(err)) return { code: err.data?.code };
    throw err;
  }
  throw new Error("expected the call to fail");
}
const png = (n: number) => randomBytes(n);

async function put(uploadUrl: string, body: BodyInit, headers: Record<string, string>, init: RequestInit = {}) {
  return fetch(new URL(uploadUrl, t.url), { method: "PUT", body, headers, ...init });
}

/** The uploader's preview URL of `key`, as completeUpload hands it out. */
async function preview(key: string): Promise<URL> {
  const local = t.server.runtime.localMedia;
  if (!local) throw new Error("expected local media storage");
  return new URL(await local.readUrl(key, { story: null, expires: Math.floor(Date.now() / 1000) + 60 }), t.url);
}

const ownedBy = (user: SignedInUser, keys: string[]) => withUser(t.database.db, user.id, (tx) => assertOwnedUploads(tx, user.id, keys));
const partials = async () => readdir(join(mediaDir, ".incoming")).catch(() => []);

describe("media uploads on local storage", () => {
  it("issues a user-scoped key, accepts the exact bytes, and serves them back", async () => {
    const bytes = png(2048);
    const input: UploadInput = { contentType: "image/png", byteSize: bytes.length, fileName: "holiday.png" };
    const up = await alice.api.media.createUpload.mutate(input);
    expect(up.mediaKey).toMatch(new RegExp(`^u/${alice.id}/[0-9a-f-]{36}\\.png$`));
    expect(up.method).toBe("PUT");
    expect(up.uploadUrl.startsWith(`/uploads/${up.mediaKey}?`)).toBe(true);
    expect(new Date(up.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    // Not usable in a story before the bytes are there.
    const early = await ownedBy(alice, [up.mediaKey]).catch((e: unknown) => e);
    expect((early as DomainError).code).toBe("PRECONDITION_FAILED");

    const res = await put(up.uploadUrl, bytes, up.headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mediaKey: up.mediaKey, byteSize: bytes.length });

    const [row] = await ownedBy(alice, [up.mediaKey]);
    expect(row).toMatchObject({ key: up.mediaKey, userId: alice.id, contentType: "image/png", byteSize: 2048 });
    expect(row?.uploadedAt).toBeInstanceOf(Date);

    const done = await alice.api.media.completeUpload.mutate({ mediaKey: up.mediaKey });
    expect(done).toMatchObject({ mediaKey: up.mediaKey, kind: "image", uploaded: true });
    // The uploader's preview: a short-lived signed URL, never kept by a cache.
    expect(done.url).toMatch(new RegExp(`^/media/${up.mediaKey}\\?expires=\\d+&sig=[\\w-]+$`));
    const served = await fetch(new URL(done.url, t.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("private, no-store");
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

    // Stored media is immutable: the same URL cannot overwrite it.
    expect((await put(up.uploadUrl, png(2048), up.headers)).status).toBe(409);
  });

  it("refuses an expired URL", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "image/jpeg", byteSize: 10 });
    // The server's own signer, with an expiry in the past, for the key the server recorded.
    const local = t.server.runtime.localMedia;
    if (!local) throw new Error("expected local media storage");
    const expired = await local.presignUpload({ key: up.mediaKey, contentType: "image/jpeg", byteSize: 10, expiresInSec: -1 });
    const res = await put(expired.url, png(10), expired.headers);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Upload URL expired" });
    expect(await local.exists(up.mediaKey)).toBe(false);
  });

  it("refuses a wrong signature, and any field changed under a valid one", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "image/webp", byteSize: 10 });
    const url = new URL(up.uploadUrl, t.url);
    const sig = url.searchParams.get("sig") ?? "";
    const variants: Array<(u: URL) => void> = [
      (u) => u.searchParams.set("sig", `${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`),
      (u) => u.searchParams.delete("sig"),
      (u) => u.searchParams.set("size", "1000000"),
      (u) => u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600)),
      (u) => u.searchParams.set("type", "video/mp4"),
    ];
    for (const change of variants) {
      const forged = new URL(url);
      change(forged);
      const res = await put(forged.toString(), png(10), { "content-type": forged.searchParams.get("type") ?? "image/webp" });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: "Invalid upload signature" });
    }
    // The same signature on another key of the same user.
    const other = await alice.api.media.createUpload.mutate({ contentType: "image/webp", byteSize: 10 });
    const moved = up.uploadUrl.replace(up.mediaKey, other.mediaKey);
    expect((await put(moved, png(10), up.headers)).status).toBe(403);
  });

  it("refuses an over-size body, declared or streamed, and keeps nothing", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "image/gif", byteSize: 1000 });
    const declared = await put(up.uploadUrl, png(1001), up.headers);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ limitBytes: 1000 });

    // No Content-Length (chunked): the cap cuts the stream off at byte 1001.
    const chunks = Readable.toWeb(Readable.from([png(600), png(600), png(600)])) as ReadableStream<Uint8Array>;
    const streamed = await put(up.uploadUrl, chunks, up.headers, { duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await t.server.runtime.localMedia?.exists(up.mediaKey)).toBe(false);
    expect(await partials()).toEqual([]);
    expect((await ownedBy(alice, [up.mediaKey]).catch((e: unknown) => e)) as DomainError).toMatchObject({ code: "PRECONDITION_FAILED" });

    // A short body is refused too; the URL still works for the right bytes afterwards.
    expect((await put(up.uploadUrl, png(999), up.headers)).status).toBe(400);
    expect((await put(up.uploadUrl, png(1000), up.headers)).status).toBe(200);
  });

  it("refuses a content type other than the signed one", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 10 });
    for (const type of ["image/jpeg", "text/html", ""]) {
      const res = await put(up.uploadUrl, png(10), type ? { "content-type": type } : {});
      expect(res.status).toBe(415);
    }
    expect((await put(up.uploadUrl, png(10), { "content-type": "image/png; charset=binary" })).status).toBe(200);
  });

  it("a user can never use another user's key", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "video/mp4", byteSize: 16 });
    expect((await put(up.uploadUrl, png(16), up.headers)).status).toBe(200);
    expect(await ownedBy(alice, [up.mediaKey])).toHaveLength(1);

    const foreign = await ownedBy(bob, [up.mediaKey]).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(DomainError);
    expect((foreign as DomainError).code).toBe("NOT_FOUND");
    // Mixed with one of Bob's own, still refused as a whole.
    const own = await bob.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 4 });
    await put(own.uploadUrl, png(4), own.headers);
    expect(((await ownedBy(bob, [own.mediaKey, up.mediaKey]).catch((e: unknown) => e)) as DomainError).code).toBe("NOT_FOUND");
    expect(await ownedBy(bob, [own.mediaKey])).toHaveLength(1);
    // And through the API: Alice's key does not exist for Bob.
    expect((await failureOf(bob.api.media.completeUpload.mutate({ mediaKey: up.mediaKey }))).code).toBe("NOT_FOUND");
  });

  it("validates type and size against the allowlist before signing anything", async () => {
    const cases: unknown[] = [
      { contentType: "image/svg+xml", byteSize: 10 },
      { contentType: "image/png", byteSize: 10 * 1024 * 1024 + 1 },
      { contentType: "video/webm", byteSize: 50 * 1024 * 1024 + 1 },
      { contentType: "image/png", byteSize: 0 },
    ];
    for (const input of cases) {
      const err = await failureOf(alice.api.media.createUpload.mutate(input as UploadInput));
      expect(err.code).toBe("BAD_REQUEST");
    }
    expect((await alice.api.media.createUpload.mutate({ contentType: "video/webm", byteSize: 50 * 1024 * 1024 })).mediaKey).toMatch(/\.webm$/);
    expect((await failureOf(t.client().media.createUpload.mutate({ contentType: "image/png", byteSize: 1 }))).code).toBe("UNAUTHORIZED");
  });

  it("purge (for the expiry job) deletes rows and files of media no live story uses", async () => {
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const up = await alice.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 8 });
      expect((await put(up.uploadUrl, png(8), up.headers)).status).toBe(200);
      keys.push(up.mediaKey);
    }
    const [live, expired, unused] = keys as [string, string, string];
    const db = t.database.db;
    const hour = 3_600_000;
    const [a, b] = await db
      .insert(stories)
      .values([
        { authorUserId: alice.id, expiresAt: new Date(Date.now() + hour) },
        { authorUserId: alice.id, expiresAt: new Date(Date.now() - hour) },
      ])
      .returning({ id: stories.id });
    await db.insert(storyMedia).values([
      { storyId: a!.id, sortOrder: 0, kind: "image", mediaKey: live },
      { storyId: b!.id, sortOrder: 0, kind: "image", mediaKey: expired },
    ]);

    const result = await t.server.runtime.services.media.purge(db, keys);
    expect(result.deleted.sort()).toEqual([expired, unused].sort());
    expect(result.failed).toEqual([]);
    const left = await db.select({ key: mediaUploads.key }).from(mediaUploads).where(inArray(mediaUploads.key, keys));
    expect(left.map((r) => r.key)).toEqual([live]);
    expect((await fetch(await preview(live))).status).toBe(200);
    expect((await fetch(await preview(expired))).status).toBe(404);
    expect((await fetch(await preview(unused))).status).toBe(404);

    // Once its story is deleted, the last one goes too.
    await db.update(stories).set({ deletedAt: new Date() }).where(eq(stories.id, a!.id));
    expect((await t.server.runtime.services.media.purge(db, keys)).deleted).toEqual([live]);
  });

  it("the expiry job deletes the uploaded media of a story once it expires", async () => {
    const up = await alice.api.media.createUpload.mutate({ contentType: "image/png", byteSize: 8 });
    expect((await put(up.uploadUrl, png(8), up.headers)).status).toBe(200);
    const story = await alice.api.stories.create.mutate({ mediaKeys: [up.mediaKey], visibility: "public" });
    const slideUrl = new URL(story.slides[0]?.url ?? "", t.url);
    expect((await fetch(slideUrl)).status).toBe(200);

    // Not expired yet: the job leaves the story and its media alone.
    await t.runJob("stories.expire");
    expect((await fetch(slideUrl)).status).toBe(200);
    expect((await fetch(await preview(up.mediaKey))).status).toBe(200);

    await t.database.db.update(stories).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(stories.id, story.id));
    // Expired: its URL is refused at once, before any job runs.
    expect((await fetch(slideUrl)).status).toBe(404);
    // The expiry enqueues the purge of its media in the same transaction; runJob waits for both.
    await t.runJob("stories.expire");
    expect((await fetch(await preview(up.mediaKey))).status).toBe(404);
    expect(await t.database.db.select({ key: mediaUploads.key }).from(mediaUploads).where(eq(mediaUploads.key, up.mediaKey))).toEqual([]);
  });

  it("answers 404 for paths that are not media keys and for missing media, and takes only PUT", async () => {
    const missing = `u/${alice.id}/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}.png`;
    for (const path of ["/uploads/u/x/y.png", "/media/.incoming/x.part"]) {
      expect((await fetch(`${t.url}${path}`)).status).toBe(404);
    }
    expect((await fetch(await preview(missing))).status).toBe(404);
    expect((await fetch(`${t.url}/uploads/${missing}`)).status).toBe(405);
  });
});
