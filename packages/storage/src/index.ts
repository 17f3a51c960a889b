/**
 * Media storage (docs/media.md): local disk with HMAC-signed upload URLs served by our own
 * server (the embedded default), or S3/MinIO with presigned URLs when configured.
 */
import type { MediaStorage } from "./types.ts";

export { createLocalStorage, UploadSizeError, type LocalMediaStorage } from "./local.ts";
export { createS3Storage, type S3MediaStorage } from "./s3.ts";
export { openConfiguredStorage, storageEnvIssues, storageEnvShape } from "./env.ts";
export { isSafeKey, StorageUnavailableError, type MediaStorage } from "./types.ts";

/**
 * Deletes stored objects, a few at a time; used by the story expiry job before it deletes
 * the media_uploads rows. Keys that could not be deleted come back with their error, so the
 * job can log them and keep their rows for the next run.
 */
export async function deleteMediaObjects(
  storage: MediaStorage,
  keys: readonly string[],
  concurrency = 8,
): Promise<{ deleted: string[]; failed: Array<{ key: string; error: unknown }> }> {
  const deleted: string[] = [];
  const failed: Array<{ key: string; error: unknown }> = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < keys.length; i = next++) {
      const key = keys[i];
      if (key === undefined) continue;
      try {
        await storage.delete(key);
        deleted.push(key);
      } catch (error) {
        failed.push({ key, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return { deleted, failed };
}
