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

/**
 * Where media bytes live. Keys are relative paths (`u/<userId>/<uuid>.<ext>`); the driver
 * decides how an upload is authorized (HMAC-signed URL to our server, or an S3 presigned
 * URL) and how a stored object is read back.
 */
export interface MediaStorage {
  readonly driver: "local" | "s3";
  presignUpload(params: PresignUploadParams): Promise<PresignedUpload>;
  /** A URL to read the object: relative to the API origin for local storage, absolute for S3. */
  readUrl(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; a missing object is not an error. */
  delete(key: string): Promise<void>;
}

/** Object keys are relative paths of safe segments: nothing that could climb out of the media root. */
const SAFE_KEY = /^(?!.*\/\/)[A-Za-z0-9_-][A-Za-z0-9._/-]{0,511}$/;

export function isSafeKey(key: string): boolean {
  return SAFE_KEY.test(key) && !key.split("/").some((segment) => segment === "." || segment === ".." || segment === "");
}

export function assertSafeKey(key: string): void {
  if (!isSafeKey(key)) throw new Error(`Unsafe media key: ${JSON.stringify(key)}`);
}
