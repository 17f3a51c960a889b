import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStorage, isSafeKey, UploadSizeError, type LocalMediaStorage } from "../src/index.ts";

let dir: string;
let storage: LocalMediaStorage;
const signingKey = randomBytes(32);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "companion-media-"));
  storage = createLocalStorage({ dir, signingKey });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const queryOf = (url: string) => new URL(url, "http://x").searchParams;

describe("local upload URLs", () => {
  it("are relative to our server, signed, and verify only for their own key and fields", async () => {
    const up = await storage.presignUpload({ key: "u/a/b.png", contentType: "image/png", byteSize: 10, expiresInSec: 600 });
    expect(up.url).toMatch(/^\/uploads\/u\/a\/b\.png\?/);
    expect(up.headers).toEqual({ "content-type": "image/png" });
    const q = queryOf(up.url);
    expect(storage.verifyUpload("u/a/b.png", q)).toMatchObject({ ok: true, grant: { contentType: "image/png", byteSize: 10 } });
    expect(storage.verifyUpload("u/a/c.png", q)).toEqual({ ok: false, reason: "bad_signature" });
    for (const [field, value] of [
      ["size", "11"],
      ["type", "image/gif"],
      ["expires", String(Number(q.get("expires")) + 60)],
    ] as const) {
      const tampered = new URLSearchParams(q);
      tampered.set(field, value);
      expect(storage.verifyUpload("u/a/b.png", tampered)).toEqual({ ok: false, reason: "bad_signature" });
    }
    const other = createLocalStorage({ dir, signingKey: randomBytes(32) });
    expect(other.verifyUpload("u/a/b.png", q)).toEqual({ ok: false, reason: "bad_signature" });
    expect(storage.verifyUpload("u/a/b.png", q, (Number(q.get("expires")) + 1) * 1000)).toEqual({ ok: false, reason: "expired" });
    const noSig = new URLSearchParams(q);
    noSig.delete("sig");
    expect(storage.verifyUpload("u/a/b.png", noSig)).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("local read URLs", () => {
  const story = "7d0f6c1e-2f7a-4c59-9a59-0b8d3f0e6a11";

  it("sign the key, the story and the expiry, and verify for nothing else", async () => {
    const expires = Math.floor(Date.now() / 1000) + 300;
    const url = await storage.readUrl("u/a/b.png", { story, expires });
    expect(url).toBe(`/media/u/a/b.png?story=${story}&expires=${expires}&sig=${queryOf(url).get("sig") ?? ""}`);
    expect(await storage.readUrl("u/a/b.png", { story, expires })).toBe(url);
    const q = queryOf(url);
    expect(storage.verifyRead("u/a/b.png", q)).toEqual({ ok: true, grant: { key: "u/a/b.png", story, expires } });
    expect(storage.verifyRead("u/a/c.png", q)).toEqual({ ok: false, reason: "bad_signature" });
    for (const [field, value] of [
      ["story", "7d0f6c1e-2f7a-4c59-9a59-0b8d3f0e6a12"],
      ["expires", String(expires + 60)],
    ] as const) {
      const tampered = new URLSearchParams(q);
      tampered.set(field, value);
      expect(storage.verifyRead("u/a/b.png", tampered)).toEqual({ ok: false, reason: "bad_signature" });
    }
    // Dropping the story does not turn a story's URL into an upload preview.
    const unbound = new URLSearchParams(q);
    unbound.delete("story");
    expect(storage.verifyRead("u/a/b.png", unbound)).toEqual({ ok: false, reason: "bad_signature" });
    expect(storage.verifyRead("u/a/b.png", q, (expires + 1) * 1000)).toEqual({ ok: false, reason: "expired" });
    expect(storage.verifyRead("u/a/b.png", new URLSearchParams())).toEqual({ ok: false, reason: "malformed" });
  });

  it("bound to a companion (an avatar) cannot pass for a story's or a preview, nor move to another companion", async () => {
    const expires = Math.floor(Date.now() / 1000) + 300;
    const companion = "0b8d3f0e-2f7a-4c59-9a59-7d0f6c1e6a11";
    const url = await storage.readUrl("u/a/b.png", { story: null, companion, expires });
    expect(url).toBe(`/media/u/a/b.png?companion=${companion}&expires=${expires}&sig=${queryOf(url).get("sig") ?? ""}`);
    const q = queryOf(url);
    expect(storage.verifyRead("u/a/b.png", q)).toEqual({ ok: true, grant: { key: "u/a/b.png", story: null, companion, expires } });
    const moved = new URLSearchParams(q);
    moved.set("companion", "0b8d3f0e-2f7a-4c59-9a59-7d0f6c1e6a12");
    const asStory = new URLSearchParams(q);
    asStory.delete("companion");
    asStory.set("story", companion);
    const asPreview = new URLSearchParams(q);
    asPreview.delete("companion");
    for (const tampered of [moved, asStory, asPreview]) expect(storage.verifyRead("u/a/b.png", tampered)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("are not upload URLs, nor the other way round", async () => {
    const up = await storage.presignUpload({ key: "u/a/b.png", contentType: "image/png", byteSize: 10, expiresInSec: 600 });
    expect(storage.verifyRead("u/a/b.png", queryOf(up.url)).ok).toBe(false);
    const read = await storage.readUrl("u/a/b.png", { story: null, expires: Math.floor(Date.now() / 1000) + 60 });
    expect(storage.verifyUpload("u/a/b.png", queryOf(read)).ok).toBe(false);
  });
});

describe("receiving a body", () => {
  const chunks = (...sizes: number[]) => Readable.from(sizes.map((n) => Buffer.alloc(n, 7)));
  const leftovers = async () => readdir(join(dir, ".incoming")).catch(() => []);

  it("stores exactly the declared size atomically", async () => {
    await storage.receive("u/a/ok.png", chunks(4, 6), 10);
    expect((await readFile(join(dir, "u/a/ok.png"))).length).toBe(10);
    expect(await storage.exists("u/a/ok.png")).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it("cuts off a body over the cap and leaves nothing behind", async () => {
    const err = await storage.receive("u/a/big.png", chunks(6, 6, 6), 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadSizeError);
    expect((err as UploadSizeError).reason).toBe("too_large");
    expect(await storage.exists("u/a/big.png")).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it("refuses a body shorter than declared", async () => {
    const err = await storage.receive("u/a/short.png", chunks(3), 10).catch((e: unknown) => e);
    expect((err as UploadSizeError).reason).toBe("incomplete");
    expect(await storage.exists("u/a/short.png")).toBe(false);
  });

  it("deletes idempotently", async () => {
    await storage.receive("u/a/gone.png", chunks(1), 1);
    await storage.delete("u/a/gone.png");
    await storage.delete("u/a/gone.png");
    expect(await storage.exists("u/a/gone.png")).toBe(false);
  });
});

describe("keys", () => {
  it("never escape the media root", async () => {
    for (const bad of ["../x", "u/../../x", "/etc/passwd", "u//x", ".incoming/a.part", "u/./x", "a\\b", ""]) {
      expect(isSafeKey(bad)).toBe(false);
    }
    expect(isSafeKey("u/0b5c-1/4f.webm")).toBe(true);
    await expect(storage.receive("../evil", Readable.from([Buffer.alloc(1)]), 1)).rejects.toThrow(/unsafe/i);
    expect(await storage.exists("../package.json")).toBe(false);
    await expect(storage.readUrl("../package.json", { story: null, expires: 1 })).rejects.toThrow(/unsafe/i);
  });
});
