import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readGrantQuery, uploadGrantQuery, verifyReadGrant, verifyUploadGrant, type GrantCheck, type ReadGrantCheck } from "./signing.ts";
import { assertSafeKey, isSafeKey, type MediaStorage, type PresignedUpload, type PresignUploadParams } from "./types.ts";

export interface LocalStorageOptions {
  /** Media root; created on first write. */
  dir: string;
  /**
   * HMAC key for upload and read URLs, derived from the server secrets. A process that only
   * deletes (the expiry job in apps/worker) may omit it; signing then throws.
   */
  signingKey?: Uint8Array;
  /** Path prefix of the upload route (PUT) on our server. */
  uploadPath?: string;
  /** Path prefix under which the server serves stored objects (GET). */
  readPath?: string;
}

/** A body that did not match its signed size: `too_large` is cut off at the cap, `incomplete` ended short. */
export class UploadSizeError extends Error {
  readonly reason: "too_large" | "incomplete";
  readonly limitBytes: number;
  constructor(reason: "too_large" | "incomplete", limitBytes: number) {
    super(reason === "too_large" ? `Upload exceeds its declared size of ${limitBytes} bytes` : `Upload ended before its declared size of ${limitBytes} bytes`);
    this.reason = reason;
    this.limitBytes = limitBytes;
    this.name = "UploadSizeError";
  }
}

export interface LocalMediaStorage extends MediaStorage {
  readonly driver: "local";
  readonly dir: string;
  /** Checks an upload URL's signature and expiry for `key`. */
  verifyUpload(key: string, query: URLSearchParams, now?: number): GrantCheck;
  /** Checks a read URL's signature and expiry for `key`; the caller then checks its story is live. */
  verifyRead(key: string, query: URLSearchParams, now?: number): ReadGrantCheck;
  /**
   * Streams `body` to the object at `key`, at most `byteSize` bytes and exactly that many:
   * the bytes go to a temporary file that is renamed into place only when complete, so a
   * refused or broken upload never leaves a partial object behind.
   */
  receive(key: string, body: Readable, byteSize: number): Promise<void>;
}

/** Media on local disk, uploaded through our own server with HMAC-signed, short-lived URLs. */
export function createLocalStorage(options: LocalStorageOptions): LocalMediaStorage {
  const root = resolve(options.dir);
  const uploadPath = options.uploadPath ?? "/uploads";
  const readPath = options.readPath ?? "/media";
  const pathOf = (key: string) => {
    assertSafeKey(key);
    const full = join(root, key);
    // Belt and braces after the key check: the resolved path must stay under the root.
    if (!full.startsWith(root + sep)) throw new Error(`Media key escapes the media root: ${key}`);
    return full;
  };
  const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");
  const signingKey = () => {
    if (!options.signingKey) throw new Error("Local media storage was created without a signing key");
    return options.signingKey;
  };

  return {
    driver: "local",
    dir: root,

    async presignUpload(params: PresignUploadParams): Promise<PresignedUpload> {
      assertSafeKey(params.key);
      const expires = Math.floor(Date.now() / 1000) + params.expiresInSec;
      const query = uploadGrantQuery(signingKey(), { key: params.key, contentType: params.contentType, byteSize: params.byteSize, expires });
      return {
        url: `${uploadPath}/${encodeKey(params.key)}?${query}`,
        method: "PUT",
        headers: { "content-type": params.contentType },
        expiresAt: new Date(expires * 1000),
      };
    },

    readUrl: async (key, grant) => {
      assertSafeKey(key);
      return `${readPath}/${encodeKey(key)}?${readGrantQuery(signingKey(), { key, story: grant.story, companion: grant.companion ?? null, export: grant.export ?? null, expires: grant.expires })}`;
    },

    async exists(key) {
      if (!isSafeKey(key)) return false;
      try {
        return (await stat(pathOf(key))).isFile();
      } catch {
        return false;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async put(key, body) {
      const target = pathOf(key);
      const incoming = join(root, ".incoming");
      await Promise.all([mkdir(dirname(target), { recursive: true }), mkdir(incoming, { recursive: true })]);
      // Written aside, then renamed: a reader never sees half a file.
      const temp = join(incoming, `${randomBytes(9).toString("hex")}.part`);
      await writeFile(temp, body);
      await rename(temp, target);
    },

    verifyUpload: (key, query, now) => verifyUploadGrant(signingKey(), key, query, now),

    verifyRead: (key, query, now) => verifyReadGrant(signingKey(), key, query, now),

    async receive(key, body, byteSize) {
      const target = pathOf(key);
      // Partial bodies live outside every key's path (keys cannot start with a dot), on the
      // same filesystem so the final rename is atomic.
      const incoming = join(root, ".incoming");
      await Promise.all([mkdir(dirname(target), { recursive: true }), mkdir(incoming, { recursive: true })]);
      const temp = join(incoming, `${randomBytes(9).toString("hex")}.part`);
      let received = 0;
      const cap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          if (received > byteSize) done(new UploadSizeError("too_large", byteSize));
          else done(null, chunk);
        },
      });
      try {
        await pipeline(body, cap, createWriteStream(temp, { flags: "wx", mode: 0o640 }));
        if (received < byteSize) throw new UploadSizeError("incomplete", byteSize);
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
  };
}
