/**
 * The S3 driver: presigned URLs checked offline, then end to end against a real
 * S3-compatible server on loopback (s3rver, which verifies SigV4 signatures, signed headers
 * and expiry), and against a store that is down or hangs.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, deleteMediaObjects, StorageUnavailableError, type S3MediaStorage } from "../src/index.ts";
import { startTestS3, type TestS3 } from "../src/testing.ts";

const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("S3 presigned uploads", () => {
  it("signs a PUT for the bucket and key with content-type and content-length, expiring as asked (path style)", async () => {
    const storage = createS3Storage({ ...creds, endpoint: "http://minio.local:9000", region: "us-east-1", bucket: "media", forcePathStyle: true });
    const before = Date.now();
    const upload = await storage.presignUpload({ key: "u/0b5c/abc.jpg", contentType: "image/jpeg", byteSize: 1234, expiresInSec: 600 });
    const url = new URL(upload.url);
    expect(url.origin).toBe("http://minio.local:9000");
    expect(url.pathname).toBe("/media/u/0b5c/abc.jpg");
    const q = url.searchParams;
    expect(q.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(q.get("X-Amz-Expires")).toBe("600");
    expect(q.get("X-Amz-Credential")).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    expect(q.get("X-Amz-SignedHeaders")?.split(";").sort()).toEqual(["content-length", "content-type", "host"]);
    expect(q.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    // No checksum the client would have to send.
    expect([...q.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(upload.method).toBe("PUT");
    expect(upload.headers).toEqual({ "content-type": "image/jpeg" });
    expect(upload.expiresAt.getTime() - before).toBeGreaterThanOrEqual(599_000);
    expect(upload.expiresAt.getTime() - before).toBeLessThanOrEqual(601_000);
  });

  it("uses the virtual-hosted bucket on AWS, and a different size or type changes the signature", async () => {
    const storage = createS3Storage({ ...creds, region: "eu-west-1", bucket: "companion-media" });
    const sign = (contentType: string, byteSize: number) =>
      storage.presignUpload({ key: "u/1/x.png", contentType, byteSize, expiresInSec: 60 }).then((u) => new URL(u.url));
    const a = await sign("image/png", 10);
    expect(a.host).toBe("companion-media.s3.eu-west-1.amazonaws.com");
    expect(a.pathname).toBe("/u/1/x.png");
    const sig = (u: URL) => u.searchParams.get("X-Amz-Signature");
    expect(sig(await sign("image/png", 11))).not.toBe(sig(a));
    expect(sig(await sign("image/gif", 10))).not.toBe(sig(a));
  });

  it("presigns reads until the given expiry, the same URL within the hour, on the public endpoint", async () => {
    const storage = createS3Storage({
      ...creds,
      endpoint: "http://minio:9000",
      publicEndpoint: "http://localhost:9000",
      region: "us-east-1",
      bucket: "media",
      forcePathStyle: true,
    });
    const now = Math.floor(Date.now() / 1000);
    const expires = now + 300;
    const read = new URL(await storage.readUrl("u/1/x.png", { story: null, expires }));
    expect(read.origin).toBe("http://localhost:9000");
    expect(read.pathname).toBe("/media/u/1/x.png");
    // Signed as of the start of the hour, and valid exactly until `expires`.
    const [, y, mo, d, h, mi, sec] = (/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(read.searchParams.get("X-Amz-Date") ?? "") ?? []).map(Number);
    const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, sec) / 1000;
    expect(signedAt).toBe(now - (now % 3600));
    expect(signedAt + Number(read.searchParams.get("X-Amz-Expires"))).toBe(expires);
    expect(await storage.readUrl("u/1/x.png", { story: null, expires })).toBe(read.toString());
    expect(await storage.readUrl("u/1/x.png", { story: null, expires: expires + 60 })).not.toBe(read.toString());
    const upload = new URL((await storage.presignUpload({ key: "u/1/y.png", contentType: "image/png", byteSize: 1, expiresInSec: 60 })).url);
    expect(upload.origin).toBe("http://localhost:9000");
    await expect(storage.readUrl("../etc/passwd", { story: null, expires })).rejects.toThrow(/unsafe/i);
    await expect(storage.presignUpload({ key: "/abs", contentType: "image/png", byteSize: 1, expiresInSec: 60 })).rejects.toThrow(/unsafe/i);
  });
});

describe("S3 end to end against s3rver", () => {
  let s3: TestS3;
  let storage: S3MediaStorage;
  beforeAll(async () => {
    s3 = await startTestS3({ bucket: "media" });
    // Clients reach the store as localhost, this server as 127.0.0.1: both are this s3rver.
    storage = createS3Storage({ ...s3, endpoint: s3.endpoint, publicEndpoint: `http://localhost:${s3.port}`, forcePathStyle: true });
  });
  afterAll(async () => {
    await s3.close();
  });

  const put = (url: string, body: Buffer, contentType: string) => fetch(url, { method: "PUT", body: new Uint8Array(body), headers: { "content-type": contentType } });

  it("takes a presigned PUT of exactly the signed type and size, and serves it by presigned GET", async () => {
    const bytes = randomBytes(1500);
    const key = "u/1/photo.png";
    const up = await storage.presignUpload({ key, contentType: "image/png", byteSize: bytes.length, expiresInSec: 60 });
    expect(new URL(up.url).host).toBe(`localhost:${s3.port}`);
    // The store itself refuses another type or size: both are signed.
    expect((await put(up.url, bytes, "image/gif")).status).toBe(403);
    expect((await put(up.url, bytes.subarray(0, 1000), "image/png")).status).toBe(403);
    expect(await storage.exists(key)).toBe(false);
    expect((await put(up.url, bytes, "image/png")).status).toBe(200);
    expect(await storage.exists(key)).toBe(true);

    const url = await storage.readUrl(key, { story: "any", expires: Math.floor(Date.now() / 1000) + 60 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const ranged = await fetch(url, { headers: { range: "bytes=0-9" } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);

    // Expired: the store refuses it.
    const expired = await storage.readUrl(key, { story: null, expires: Math.floor(Date.now() / 1000) - 5 });
    expect((await fetch(expired)).status).toBe(403);
    // Tampered: likewise.
    const tampered = new URL(url);
    tampered.pathname = tampered.pathname.replace("photo", "other");
    expect((await fetch(tampered)).status).toBe(403);

    await storage.probe();
    await storage.delete(key);
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    expect((await fetch(url)).status).toBe(404);
  });
});

describe("S3 outage", () => {
  let blackhole: Server;
  const sockets = new Set<Socket>();
  let closedPort: number;
  beforeAll(async () => {
    // Accepts connections and never answers: the store that hangs.
    blackhole = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const probe = createTcpServer();
    closedPort = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  const storageAt = (endpoint: string) =>
    createS3Storage({ ...creds, endpoint, region: "us-east-1", bucket: "media", forcePathStyle: true, callTimeoutMs: 800 });

  it("fails fast with StorageUnavailableError when nothing listens", async () => {
    const storage = storageAt(`http://127.0.0.1:${closedPort}`);
    const started = Date.now();
    const err = await storage.exists("u/1/x.png").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(storage.probe()).rejects.toBeInstanceOf(StorageUnavailableError);
    const result = await deleteMediaObjects(storage, ["u/1/a.jpg", "u/1/b.jpg"]);
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => f.error)).toEqual([expect.any(StorageUnavailableError), expect.any(StorageUnavailableError)]);
    // Presigning needs no store.
    expect(await storage.readUrl("u/1/x.png", { story: null, expires: Math.floor(Date.now() / 1000) + 60 })).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it("gives up within its call budget when the store hangs", async () => {
    const storage = storageAt(`http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`);
    const started = Date.now();
    await expect(storage.exists("u/1/x.png")).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
    const aborted = new AbortController();
    setTimeout(() => aborted.abort(), 100);
    const probeStarted = Date.now();
    await expect(storage.probe(aborted.signal)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - probeStarted).toBeLessThan(600);
  });
});
