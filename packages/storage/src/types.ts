/** What a client needs to upload one object: send `method` to `url` with `headers` and exactly `byteSize` bytes. */
export interface PresignedUpload {
  /** Absolute (S3) or relative to the API origin (local): resolve with `new URL(url, apiOrigin)`. */
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignUploadParams {
  key: string;
  contentType: string;
  byteSize: number;
  expiresInSec: number;
}

/** What a read URL grants: until when, and (local storage) for which story. */
interface ReadGrantParams {
  /** Unix seconds after which the URL is refused (by our media route, or by S3). */
  expires: number;
  /**
   * Local storage: the story of this slide; the media route serves the URL only while that story is live
   * with this key, so deleting it revokes the URL. Null: the uploader's preview. S3 has only `expires`.
   */
  story: string | null;
  /**
   * Local storage: a companion's avatar; the media route serves the URL only while that companion
   * exists with this key as its avatar (instead of a story). S3 has only `expires`.
   */
  companion?: string | null;
  /** Local storage: a data export archive, served only while that export is ready and unexpired. S3 has only `expires`. */
  export?: string | null;
}

/**
 * Where media bytes live. Keys are relative paths (`u/<userId>/<uuid>.<ext>`); the driver
 * decides how an upload is authorized (HMAC-signed URL to our server, or an S3 presigned
 * URL) and how a stored object is read back.
 */
export interface MediaStorage {
  readonly driver: "local" | "s3";
  presignUpload(params: PresignUploadParams): Promise<PresignedUpload>;
  /**
   * A signed URL to read the object until `grant.expires`: relative to the API origin for
   * local storage (`/media/<key>?story=&expires=&sig=`), an absolute presigned GET for S3.
   * The same key and grant give the same URL (within the hour on S3), so clients can cache.
   */
  readUrl(key: string, grant: ReadGrantParams): Promise<string>;
  /** Whether the object is stored; StorageUnavailableError when the store cannot be reached. */
  exists(key: string): Promise<boolean>;
  /**
   * Removes the object; a missing object is not an error. Like `exists`, throws
   * StorageUnavailableError when the store cannot be reached.
   */
  delete(key: string): Promise<void>;
  /**
   * Stores bytes the server made itself (a companion story's image card, docs/stories.md),
   * replacing any object at `key`; StorageUnavailableError when the store cannot be reached.
   */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

/** Object keys are relative paths of safe segments: nothing that could climb out of the media root. */
const SAFE_KEY = /^(?!.*\/\/)[A-Za-z0-9_-][A-Za-z0-9._/-]{0,511}$/;

export function isSafeKey(key: string): boolean {
  return SAFE_KEY.test(key) && !key.split("/").some((segment) => segment === "." || segment === ".." || segment === "");
}

export function assertSafeKey(key: string): void {
  if (!isSafeKey(key)) throw new Error(`Unsafe media key: ${JSON.stringify(key)}`);
}

/**
 * The store did not answer, or answered with an error that is not "no such object" (S3 down,
 * timed out, refusing our credentials). The API turns it into 503 with a retry hint.
 */
export class StorageUnavailableError extends Error {
  constructor(operation: string, options: { cause: unknown }) {
    super(`Media storage unavailable (${operation})`, options);
    this.name = "StorageUnavailableError";
  }
}
