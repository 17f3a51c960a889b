/**
 * Media uploads: a client asks for an upload URL (`createUpload`), sends the bytes straight
 * to storage (our server's signed PUT, or S3), and stories then reference the key. Keys are
 * `u/<userId>/<uuid>.<ext>` and recorded in media_uploads, which is what makes them "owned".
 */
import { randomUUID } from "node:crypto";
import {
  DomainError,
  deleteUnreferencedMediaUploads,
  getMediaUpload,
  insertMediaUpload,
  markMediaUploaded,
  withUser,
  type Database,
  type MediaUploadRow,
} from "@companion/db";
import { deleteMediaObjects, type MediaStorage } from "@companion/storage";
import { MEDIA_TYPES, mediaContentType, type CreateUploadInput, type CreateUploadResult, type MediaUpload } from "@companion/validators";

export interface MediaServiceOptions {
  storage: MediaStorage;
  /** Lifetime of an upload URL (default 10 minutes). */
  uploadUrlTtlSec?: number;
}

export interface MediaService {
  readonly storage: MediaStorage;
  createUpload(db: Database, userId: string, input: CreateUploadInput): Promise<CreateUploadResult>;
  /**
   * Confirms the bytes are stored and marks the upload done. Local uploads are marked by
   * the upload route itself; on S3 the client PUTs to the bucket directly, so it calls this
   * afterwards (a HEAD on the object). NOT_FOUND for another user's key.
   */
  completeUpload(db: Database, userId: string, key: string): Promise<MediaUpload>;
  /** Where a client reads a stored object (see MediaStorage.readUrl). */
  readUrl(key: string): Promise<string>;
  /**
   * For the story expiry job: removes uploads no live story uses, rows first (so no new
   * story can pick them up), then the stored objects. Objects that failed to delete are
   * returned with their error; their rows are already gone, so they are orphans to log.
   */
  purge(db: Database, keys: readonly string[]): Promise<{ deleted: string[]; failed: Array<{ key: string; error: unknown }> }>;
}

export function createMediaService(options: MediaServiceOptions): MediaService {
  const { storage } = options;
  const ttl = options.uploadUrlTtlSec ?? 600;

  const toWire = async (row: MediaUploadRow): Promise<MediaUpload> => {
    const contentType = mediaContentType.parse(row.contentType);
    return {
      mediaKey: row.key,
      contentType,
      kind: MEDIA_TYPES[contentType].kind,
      byteSize: row.byteSize,
      uploaded: row.uploadedAt !== null,
      url: await storage.readUrl(row.key),
    };
  };

  return {
    storage,

    async createUpload(db, userId, input) {
      const key = `u/${userId}/${randomUUID()}.${MEDIA_TYPES[input.contentType].ext}`;
      await withUser(db, userId, (tx) => insertMediaUpload(tx, { key, userId, contentType: input.contentType, byteSize: input.byteSize }));
      const upload = await storage.presignUpload({ key, contentType: input.contentType, byteSize: input.byteSize, expiresInSec: ttl });
      return { uploadUrl: upload.url, method: upload.method, headers: upload.headers, mediaKey: key, expiresAt: upload.expiresAt.toISOString() };
    },

    async completeUpload(db, userId, key) {
      const row = await withUser(db, userId, (tx) => getMediaUpload(tx, { userId, key }));
      if (row.uploadedAt !== null) return toWire(row);
      // Outside any transaction: on S3 this is a network round trip.
      if (!(await storage.exists(key))) {
        throw new DomainError("PRECONDITION_FAILED", "Nothing has been uploaded for this media key yet");
      }
      return toWire(await withUser(db, userId, (tx) => markMediaUploaded(tx, { userId, key })));
    },

    readUrl: (key) => storage.readUrl(key),

    async purge(db, keys) {
      const removable = await deleteUnreferencedMediaUploads(db, { keys });
      return deleteMediaObjects(storage, removable);
    },
  };
}
