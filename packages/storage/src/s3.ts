import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertSafeKey, StorageUnavailableError, type MediaStorage, type PresignedUpload, type PresignUploadParams } from "./types.ts";

export interface S3StorageOptions {
  /** Omit for AWS; set for MinIO, R2 and other S3-compatible stores. */
  endpoint?: string;
  /**
   * The endpoint presigned URLs name, when clients reach the store at another address than
   * this server does (docker-compose: the server talks to http://minio:9000, a browser to
   * http://localhost:9000). Default: `endpoint`.
   */
  publicEndpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `bucket` in the path instead of the host name (MinIO needs this). */
  forcePathStyle?: boolean;
  /**
   * Budget of one call to the store (HEAD, DELETE, the readiness probe), retry included
   * (default 3 s): an outage costs a request seconds, not the SDK's default minutes.
   */
  callTimeoutMs?: number;
}

export interface S3MediaStorage extends MediaStorage {
  readonly driver: "s3";
  readonly client: S3Client;
  /** Resolves when the bucket answers (readiness); rejects with StorageUnavailableError. */
  probe(signal?: AbortSignal): Promise<void>;
}

const HOUR = 3600;
/** SigV4 refuses presigned URLs that live longer than a week. */
const MAX_PRESIGN_SEC = 7 * 24 * HOUR;
/** Presigned read URLs kept per process: signing one costs ~0.2 ms, a feed page may hold dozens. */
const READ_URL_CACHE_SIZE = 10_000;
const PROBE_KEY = "companion-readiness-probe";

/**
 * Media in S3 or MinIO. Clients upload straight to the bucket with a presigned PUT that
 * signs Content-Type and Content-Length, so the store itself refuses another type or
 * size; reads are presigned GETs, so the bucket can stay private.
 */
export function createS3Storage(options: S3StorageOptions): S3MediaStorage {
  const callTimeoutMs = options.callTimeoutMs ?? 3000;
  const base: S3ClientConfig = {
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Newer SDKs add CRC32 checksum headers to every PUT by default; a presigned URL would
    // then demand a checksum no browser or app sends. Only when an operation requires it.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  const client = new S3Client({
    ...base,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // One retry, short timeouts: a store that is down fails the call within callTimeoutMs.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(1000, callTimeoutMs), requestTimeout: callTimeoutMs },
  });
  // Presigning is offline: this client never sends a request, it only names the public host.
  const publicEndpoint = options.publicEndpoint ?? options.endpoint;
  const presigner = publicEndpoint === options.endpoint ? client : new S3Client({ ...base, ...(publicEndpoint ? { endpoint: publicEndpoint } : {}) });
  const Bucket = options.bucket;

  const call = async <T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const deadline = AbortSignal.timeout(callTimeoutMs);
    const abort = signal ? AbortSignal.any([signal, deadline]) : deadline;
    // The SDK does not check the signal in every phase (a retry's backoff, a hung socket):
    // the call ends at the deadline whatever the SDK is doing; its late outcome is dropped.
    const running = run(abort);
    running.catch(() => undefined);
    const reasonOf = () => (abort.reason instanceof Error ? abort.reason : new Error(`${operation} aborted`));
    const aborted = new Promise<never>((_, reject) => {
      if (abort.aborted) reject(reasonOf());
      abort.addEventListener("abort", () => reject(reasonOf()), { once: true });
    });
    aborted.catch(() => undefined);
    try {
      return await Promise.race([running, aborted]);
    } catch (err) {
      if (isNotFound(err) && operation === "HeadObject") throw err;
      throw new StorageUnavailableError(operation, { cause: err });
    }
  };

  const readUrls = new Map<string, string>();
  const cachedReadUrl = async (key: string, expires: number, signedAt: number): Promise<string> => {
    const cacheKey = `${key}\n${expires}\n${signedAt}`;
    const hit = readUrls.get(cacheKey);
    if (hit !== undefined) {
      // Most recently used last, so the oldest entry is the first to go.
      readUrls.delete(cacheKey);
      readUrls.set(cacheKey, hit);
      return hit;
    }
    const url = await getSignedUrl(presigner, new GetObjectCommand({ Bucket, Key: key }), {
      expiresIn: expires - signedAt,
      signingDate: new Date(signedAt * 1000),
    });
    readUrls.set(cacheKey, url);
    if (readUrls.size > READ_URL_CACHE_SIZE) readUrls.delete(readUrls.keys().next().value ?? "");
    return url;
  };

  return {
    driver: "s3",
    client,

    async presignUpload(params: PresignUploadParams): Promise<PresignedUpload> {
      assertSafeKey(params.key);
      const command = new PutObjectCommand({ Bucket, Key: params.key, ContentType: params.contentType, ContentLength: params.byteSize });
      const signedAt = Date.now();
      const url = await getSignedUrl(presigner, command, {
        expiresIn: params.expiresInSec,
        // The presigner leaves content-type unsigned by default; signing it (and the length)
        // is what makes the allowlist binding on the store's side.
        signableHeaders: new Set(["content-type", "content-length"]),
      });
      return { url, method: "PUT", headers: { "content-type": params.contentType }, expiresAt: new Date(signedAt + params.expiresInSec * 1000) };
    },

    async readUrl(key, grant) {
      assertSafeKey(key);
      // Signed as of the start of the hour: the same key and expiry give the same URL for an
      // hour, so browsers and CDNs can cache it (S3 only checks that it has not expired).
      const now = Math.floor(Date.now() / 1000);
      const signedAt = Math.min(now - (now % HOUR), grant.expires - 1);
      const expires = Math.min(grant.expires, signedAt + MAX_PRESIGN_SEC);
      return cachedReadUrl(key, expires, signedAt);
    },

    async exists(key) {
      assertSafeKey(key);
      try {
        await call("HeadObject", (abortSignal) => client.send(new HeadObjectCommand({ Bucket, Key: key }), { abortSignal }));
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    async delete(key) {
      assertSafeKey(key);
      // S3 answers 204 for a missing key too, so deleting twice is fine.
      await call("DeleteObject", (abortSignal) => client.send(new DeleteObjectCommand({ Bucket, Key: key }), { abortSignal }));
    },

    async put(key, body, contentType) {
      assertSafeKey(key);
      await call("PutObject", (abortSignal) => client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal }));
    },

    async probe(signal) {
      // A HEAD of a key that need not exist: found or not, the bucket answered with our
      // credentials. (HeadBucket would do, but is not answered alike by every S3-compatible store.)
      try {
        await call("HeadObject", (abortSignal) => client.send(new HeadObjectCommand({ Bucket, Key: PROBE_KEY }), { abortSignal }), signal);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

const isNotFound = (err: unknown) => err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;
