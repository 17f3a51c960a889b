/**
 * Media uploads (docs/media.md): an upload URL, the bytes straight to storage, then stories reference
 * the key; media_uploads records whose it is. Reads go through signed URLs (`slideUrl`).
 */
import { randomUUID } from "node:crypto";
import {
  deleteUnreferencedMediaUploads,
  filterUnusedStoryMediaKeys,
  getMediaUpload,
  insertMediaUpload,
  markMediaUploaded,
  serviceUnavailable,
  withUser,
  type Database,
  type MediaUploadRow,
  type StoryVisibility,
} from "@companion/db";
import { DomainError } from "@companion/errors";
import { deleteMediaObjects, StorageUnavailableError, type MediaStorage } from "@companion/storage";
import {
  isCompanionMediaKey,
  isStoredMediaKey,
  MEDIA_TYPES,
  mediaContentType,
  type MediaCreateUploadInput,
  type MediaCreateUploadOutput,
  type MediaUpload,
} from "@companion/validators";
import type { ServiceLogger } from "./background.ts";

export interface MediaServiceOptions {
  storage: MediaStorage;
  /** Lifetime of an upload URL (default 10 minutes). */
  uploadUrlTtlSec?: number;
  /** Lifetime of a read URL of a story that is not public, and of an upload preview (default 5 minutes). */
  readUrlTtlSec?: number;
  /** Where a store outage is reported (the caller only sees 503). */
  log?: ServiceLogger;
}

/** What a slide's URL depends on: the story it belongs to. */
interface SlideStory {
  id: string;
  visibility: StoryVisibility;
  expiresAt: Date;
}

export interface MediaService {
  readonly storage: MediaStorage;
  createUpload(db: Database, userId: string, input: MediaCreateUploadInput): Promise<MediaCreateUploadOutput>;
  /**
   * Confirms the bytes are stored (a HEAD on S3; local uploads are marked by the upload route) and marks
   * the upload done. Another user's key: NOT_FOUND; the store not answering: SERVICE_UNAVAILABLE.
   */
  completeUpload(db: Database, userId: string, key: string): Promise<MediaUpload>;
  /**
   * A slide's media URL for a viewer who may see `story`: shipped media at `/media/<key>`, an upload as a
   * signed URL whose lifetime follows the story's audience (docs/media.md#read-urls). Signing needs no
   * query, so a feed page stays cheap; shipped media's URL comes at once, without a promise.
   */
  slideUrl(story: SlideStory, key: string): string | Promise<string>;
  /**
   * A companion's avatar URL for a viewer who may see the companion: a signed URL bound to the
   * companion (served while it has this avatar), lifetime as for a story of the same audience
   * (public: about an hour; otherwise MEDIA_URL_TTL_SEC). Shipped media at `/media/<key>`.
   */
  avatarUrl(companion: { id: string; visibility: "private" | "unlisted" | "public" }, key: string): Promise<string>;
  /**
   * For the story expiry job: removes uploads no live story uses, rows first (so no new
   * story can pick them up), then the stored objects. Objects that failed to delete are
   * returned with their error; their rows are already gone, so they are orphans to log.
   */
  purge(db: Database, keys: readonly string[]): Promise<{ deleted: string[]; failed: Array<{ key: string; error: unknown }> }>;
  /**
   * Stores a companion story's image card (SVG) under a new `c/<companionId>/<uuid>.svg` key and
   * returns the key; the store not answering throws StorageUnavailableError (a job retries).
   */
  storeCompanionCard(companionId: string, svg: string): Promise<string>;
  /**
   * A person's own avatar (auth.updateProfile): a signed URL like an upload preview, served while the
   * upload is stored (the purge keeps an avatar's upload). Shipped media at `/media/<key>`.
   */
  userAvatarUrl(key: string): Promise<string>;
  /**
   * A data export archive's download URL, for `ttlSec` (15 minutes by default): bound to the export on
   * local storage (served while it is ready and unexpired), a presigned GET on S3 (docs/account.md#export).
   */
  exportUrl(exportId: string, key: string, ttlSec?: number): Promise<{ url: string; expiresAt: Date }>;
}

/** Media shipped with the server (demo slides, avatars), relative to the API origin. */
const staticMediaUrl = (key: string) => `/media/${key.split("/").map(encodeURIComponent).join("/")}`;

const PUBLIC_READ_SEC = 3600;
/** A data export's download link: short, as it carries everything the person has. */
const EXPORT_URL_TTL_SEC = 15 * 60;
/** How long a client should wait before asking again when the store is down. */
const STORAGE_RETRY_AFTER_MS = 5000;

/**
 * A read URL's expiry: at least `lifetime` from now, rounded up to a step (an hour for public
 * stories, a fifth of the lifetime otherwise) so that every view within a step gets the same
 * URL, and never after the story itself expires.
 */
function readUrlExpiry(params: { public: boolean; lifetimeSec: number; storyExpiresAt?: Date; now?: number }): number {
  const now = Math.floor((params.now ?? Date.now()) / 1000);
  const lifetime = params.public ? PUBLIC_READ_SEC : params.lifetimeSec;
  const step = params.public ? PUBLIC_READ_SEC : Math.max(1, Math.floor(lifetime / 5));
  const rounded = Math.ceil((now + lifetime) / step) * step;
  return params.storyExpiresAt ? Math.min(rounded, Math.floor(params.storyExpiresAt.getTime() / 1000)) : rounded;
}

export function createMediaService(options: MediaServiceOptions): MediaService {
  const { storage } = options;
  const ttl = options.uploadUrlTtlSec ?? 600;
  const readTtl = options.readUrlTtlSec ?? 300;

  const toWire = async (row: MediaUploadRow): Promise<MediaUpload> => {
    const contentType = mediaContentType.parse(row.contentType);
    return {
      mediaKey: row.key,
      contentType,
      kind: MEDIA_TYPES[contentType].kind,
      byteSize: row.byteSize,
      uploaded: row.uploadedAt !== null,
      url: await storage.readUrl(row.key, { story: null, expires: readUrlExpiry({ public: false, lifetimeSec: readTtl }) }),
    };
  };

  const storeExists = async (key: string) => {
    try {
      return await storage.exists(key);
    } catch (err) {
      if (err instanceof StorageUnavailableError) {
        options.log?.warn({ err }, "media storage did not answer");
        throw serviceUnavailable("Media storage", STORAGE_RETRY_AFTER_MS, err);
      }
      throw err;
    }
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
      if (!(await storeExists(key))) {
        throw new DomainError("UPLOAD_NOT_FINISHED", "Nothing has been uploaded for this media key yet");
      }
      return toWire(await withUser(db, userId, (tx) => markMediaUploaded(tx, { userId, key })));
    },

    slideUrl(story, key) {
      if (!isStoredMediaKey(key)) return staticMediaUrl(key);
      const expires = readUrlExpiry({ public: story.visibility === "public", lifetimeSec: readTtl, storyExpiresAt: story.expiresAt });
      return storage.readUrl(key, { story: story.id, expires });
    },

    async avatarUrl(companion, key) {
      if (!isStoredMediaKey(key)) return staticMediaUrl(key);
      const expires = readUrlExpiry({ public: companion.visibility === "public", lifetimeSec: readTtl });
      return storage.readUrl(key, { story: null, companion: companion.id, expires });
    },

    async purge(db, keys) {
      // Companion cards have no upload row: unused is "no live story has it" (docs/stories.md#media).
      const cards = keys.filter(isCompanionMediaKey);
      const removable = [
        ...(await deleteUnreferencedMediaUploads(db, { keys: keys.filter((k) => !isCompanionMediaKey(k)) })),
        ...(await filterUnusedStoryMediaKeys(db, { keys: cards })),
      ];
      return deleteMediaObjects(storage, removable);
    },

    async userAvatarUrl(key) {
      if (!isStoredMediaKey(key)) return staticMediaUrl(key);
      return storage.readUrl(key, { story: null, expires: readUrlExpiry({ public: false, lifetimeSec: readTtl }) });
    },

    async exportUrl(exportId, key, ttlSec = EXPORT_URL_TTL_SEC) {
      const expires = Math.floor(Date.now() / 1000) + ttlSec;
      return { url: await storage.readUrl(key, { story: null, export: exportId, expires }), expiresAt: new Date(expires * 1000) };
    },

    async storeCompanionCard(companionId, svg) {
      const key = `c/${companionId}/${randomUUID()}.svg`;
      await storage.put(key, Buffer.from(svg, "utf8"), "image/svg+xml");
      return key;
    },
  };
}
