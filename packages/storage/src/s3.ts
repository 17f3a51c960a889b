import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { assertSafeKey, type MediaStorage, type PresignedUpload, type PresignUploadParams } from "./types.ts";

export interface S3StorageOptions {
  /** Omit for AWS; set for MinIO, R2 and other S3-compatible stores. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `bucket` in the path instead of the host name (MinIO needs this). */
  forcePathStyle?: boolean;
  /** Lifetime of presigned read URLs (default one hour). */
  readUrlTtlSec?: number;
  /** Per-request timeout for HEAD/DELETE (default 5 s). */
  requestTimeoutMs?: number;
}

export interface S3MediaStorage extends MediaStorage {
  readonly driver: "s3";
  readonly client: S3Client;
}

/**
 * Media in S3 or MinIO. Clients upload straight to the bucket with a presigned PUT that
 * signs Content-Type and Content-Length, so the store itself refuses another type or
 * size; reads are presigned GETs, so the bucket can stay private.
 */
export function createS3Storage(options: S3StorageOptions): S3MediaStorage {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // Newer SDKs add CRC32 checksum headers to every PUT by default; a presigned URL would
    // then demand a checksum no browser or app sends. Only when an operation requires it.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 2,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 5000, connectionTimeout: options.requestTimeoutMs ?? 5000 },
  });
  const Bucket = options.bucket;

  return {
    driver: "s3",
    client,

    async presignUpload(params: PresignUploadParams): Promise<PresignedUpload> {
      assertSafeKey(params.key);
      const command = new PutObjectCommand({ Bucket, Key: params.key, ContentType: params.contentType, ContentLength: params.byteSize });
      const signedAt = Date.now();
      const url = await getSignedUrl(client, command, {
        expiresIn: params.expiresInSec,
        // The presigner leaves content-type unsigned by default; signing it (and the length)
        // is what makes the allowlist binding on the store's side.
        signableHeaders: new Set(["content-type", "content-length"]),
      });
      return { url, method: "PUT", headers: { "content-type": params.contentType }, expiresAt: new Date(signedAt + params.expiresInSec * 1000) };
    },

    async readUrl(key) {
      assertSafeKey(key);
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: options.readUrlTtlSec ?? 3600 });
    },

    async exists(key) {
      assertSafeKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (err) {
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
        throw err;
      }
    },

    async delete(key) {
      assertSafeKey(key);
      // S3 answers 204 for a missing key too, so deleting twice is fine.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
  };
}
