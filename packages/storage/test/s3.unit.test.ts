/**
 * The S3 driver without S3: presigned URLs are built and checked offline, and exists/delete
 * run against a tiny fake S3 on loopback that records what the SDK sends.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Storage, deleteMediaObjects } from "../src/index.ts";

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

  it("presigns reads with their own expiry and refuses unsafe keys", async () => {
    const storage = createS3Storage({ ...creds, endpoint: "http://127.0.0.1:9000", region: "us-east-1", bucket: "media", forcePathStyle: true, readUrlTtlSec: 120 });
    const read = new URL(await storage.readUrl("u/1/x.png"));
    expect(read.pathname).toBe("/media/u/1/x.png");
    expect(read.searchParams.get("X-Amz-Expires")).toBe("120");
    await expect(storage.readUrl("../etc/passwd")).rejects.toThrow(/unsafe/i);
    await expect(storage.presignUpload({ key: "/abs", contentType: "image/png", byteSize: 1, expiresInSec: 60 })).rejects.toThrow(/unsafe/i);
  });
});

describe("S3 exists/delete against a fake S3 on loopback", () => {
  let server: Server;
  let endpoint: string;
  const seen: Array<{ method: string; url: string; authorized: boolean }> = [];
  const objects = new Set(["/media/u/1/present.jpg"]);

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      seen.push({ method: req.method ?? "", url: path, authorized: /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//.test(req.headers.authorization ?? "") });
      req.resume();
      if (req.method === "HEAD") {
        res.writeHead(objects.has(path) ? 200 : 404, { "content-length": "0" });
        res.end();
      } else if (req.method === "DELETE") {
        if (path.includes("broken")) {
          res.writeHead(500, { "content-type": "application/xml" });
          res.end("<Error><Code>InternalError</Code><Message>boom</Message></Error>");
          return;
        }
        objects.delete(path);
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(405);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("HEADs for exists and DELETEs signed requests on the bucket path", async () => {
    const storage = createS3Storage({ ...creds, endpoint, region: "us-east-1", bucket: "media", forcePathStyle: true, requestTimeoutMs: 2000 });
    expect(await storage.exists("u/1/present.jpg")).toBe(true);
    expect(await storage.exists("u/1/missing.jpg")).toBe(false);
    await storage.delete("u/1/present.jpg");
    expect(await storage.exists("u/1/present.jpg")).toBe(false);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "HEAD /media/u/1/present.jpg",
      "HEAD /media/u/1/missing.jpg",
      "DELETE /media/u/1/present.jpg",
      "HEAD /media/u/1/present.jpg",
    ]);
    expect(seen.every((s) => s.authorized)).toBe(true);

    const result = await deleteMediaObjects(storage, ["u/1/a.jpg", "u/1/broken.jpg", "u/1/b.jpg"]);
    expect(result.deleted.sort()).toEqual(["u/1/a.jpg", "u/1/b.jpg"]);
    expect(result.failed.map((f) => f.key)).toEqual(["u/1/broken.jpg"]);
    expect(result.failed[0]?.error).toBeInstanceOf(Error);
  });
});
