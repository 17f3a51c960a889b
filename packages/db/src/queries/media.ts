import { and, eq, exists, gt, inArray, isNotNull, isNull, notExists, sql } from "drizzle-orm";
import { companions, mediaUploads, stories, storyMedia, users, type CompanionVisibility, type storyVisibility } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { DomainError, notFound } from "../errors.ts";

export interface MediaUploadRow {
  key: string;
  userId: string;
  contentType: string;
  byteSize: number;
  createdAt: Date;
  uploadedAt: Date | null;
}

const columns = {
  key: mediaUploads.key,
  userId: mediaUploads.userId,
  contentType: mediaUploads.contentType,
  byteSize: mediaUploads.byteSize,
  createdAt: mediaUploads.createdAt,
  uploadedAt: mediaUploads.uploadedAt,
};

/** Records an upload the user is about to make; `uploadedAt` stays null until the bytes are stored. */
export async function insertMediaUpload(
  db: Database,
  params: { key: string; userId: string; contentType: string; byteSize: number },
): Promise<MediaUploadRow> {
  const [row] = await db.insert(mediaUploads).values(params).returning(columns);
  if (!row) throw new Error("insert into media_uploads returned no row");
  return row;
}

/** The user's own upload; another user's key is NOT_FOUND, exactly like a key that never existed. */
export async function getMediaUpload(db: Database, params: { userId: string; key: string }): Promise<MediaUploadRow> {
  const [row] = await db
    .select(columns)
    .from(mediaUploads)
    .where(and(eq(mediaUploads.key, params.key), eq(mediaUploads.userId, params.userId)));
  if (!row) throw notFound("Media");
  return row;
}

/**
 * Marks the user's upload as stored (first time wins: a repeated call keeps the original
 * time). NOT_FOUND when the key is not this user's.
 */
export async function markMediaUploaded(db: Database, params: { userId: string; key: string; at?: Date }): Promise<MediaUploadRow> {
  const at = params.at ?? new Date();
  const [row] = await db
    .update(mediaUploads)
    .set({ uploadedAt: sql`coalesce(${mediaUploads.uploadedAt}, ${sql.param(at, mediaUploads.uploadedAt)})` })
    .where(and(eq(mediaUploads.key, params.key), eq(mediaUploads.userId, params.userId)))
    .returning(columns);
  if (!row) throw notFound("Media");
  return row;
}

/**
 * Guards a story's media list: every key must be one this user uploaded AND whose bytes
 * are stored. Another user's key and an unknown key both answer NOT_FOUND (the caller
 * cannot tell them apart); a key whose upload has not finished answers
 * PRECONDITION_FAILED. The rows are locked FOR SHARE, so the media purge
 * (`deleteUnreferencedMediaUploads`) cannot remove them while the story is being written
 * in the same transaction. Returns the rows in the order of `keys`.
 */
export async function assertOwnedUploads(db: Database, userId: string, keys: readonly string[]): Promise<MediaUploadRow[]> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const rows = await db
    .select(columns)
    .from(mediaUploads)
    .where(and(eq(mediaUploads.userId, userId), inArray(mediaUploads.key, unique)))
    .for("share");
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const missing = unique.filter((k) => !byKey.has(k));
  if (missing.length > 0) throw new DomainError("NOT_FOUND", "Media not found", { mediaKeys: missing });
  const pending = rows.filter((r) => r.uploadedAt === null).map((r) => r.key);
  if (pending.length > 0) {
    throw new DomainError("PRECONDITION_FAILED", "Media upload not finished; upload the bytes (and call media.completeUpload on S3) first", {
      mediaKeys: pending,
    });
  }
  return keys.map((k) => byKey.get(k)).filter((r): r is MediaUploadRow => r !== undefined);
}

/**
 * For the story expiry job (service role, not user-scoped): deletes the upload rows of
 * `keys` that no live story (not deleted, not expired) and no companion's avatar still uses, and returns the deleted
 * keys, whose stored objects the caller then removes (`purgeMedia` in @companion/api).
 */
export async function deleteUnreferencedMediaUploads(db: Database, params: { keys: readonly string[]; now?: Date }): Promise<string[]> {
  if (params.keys.length === 0) return [];
  const now = params.now ?? new Date();
  const stillUsed = db
    .select({ one: sql`1` })
    .from(storyMedia)
    .innerJoin(stories, eq(stories.id, storyMedia.storyId))
    .where(and(eq(storyMedia.mediaKey, mediaUploads.key), isNull(stories.deletedAt), gt(stories.expiresAt, now)));
  // A companion's avatar stays while the companion has it (docs/companions.md#avatar).
  const avatar = db.select({ one: sql`1` }).from(companions).where(eq(companions.avatarKey, mediaUploads.key));
  // So does a person's own avatar (auth.updateProfile, docs/account.md#profile).
  const userAvatar = db.select({ one: sql`1` }).from(users).where(eq(users.avatarKey, mediaUploads.key));
  const rows = await db
    .delete(mediaUploads)
    .where(and(inArray(mediaUploads.key, [...params.keys]), notExists(stillUsed), notExists(avatar), notExists(userAvatar)))
    .returning({ key: mediaUploads.key });
  return rows.map((r) => r.key);
}

export interface LiveStorySlideMedia {
  visibility: (typeof storyVisibility)[number];
  expiresAt: Date;
}

/**
 * For the media route, before it serves a signed read URL bound to a story: that story's
 * visibility and expiry while it is live (not deleted, not expired) and has `key` among its
 * slides; null otherwise, so deleting or expiring a story revokes its URLs at once. Not
 * user-scoped: only a viewer of the story was given the signed URL. A primary-key probe and
 * one story's slides.
 */
export async function findLiveStorySlideMedia(db: Database, params: { storyId: string; key: string }): Promise<LiveStorySlideMedia | null> {
  const slide = db
    .select({ one: sql`1` })
    .from(storyMedia)
    .where(and(eq(storyMedia.storyId, stories.id), eq(storyMedia.mediaKey, params.key)));
  const [row] = await db
    .select({ visibility: stories.visibility, expiresAt: stories.expiresAt })
    .from(stories)
    .where(and(eq(stories.id, params.storyId), isNull(stories.deletedAt), gt(stories.expiresAt, sql`now()`), exists(slide)))
    .prepare("media_live_story_slide")
    .execute();
  return row ?? null;
}

/** For the media route, before it serves an uploader's preview URL: the upload's bytes are stored and not purged. */
export async function isStoredUpload(db: Database, key: string): Promise<boolean> {
  const [row] = await db
    .select({ key: mediaUploads.key })
    .from(mediaUploads)
    .where(and(eq(mediaUploads.key, key), isNotNull(mediaUploads.uploadedAt)))
    .prepare("media_stored_upload")
    .execute();
  return row !== undefined;
}

/**
 * For the media route, before it serves a signed avatar URL: the companion's visibility while
 * it exists with `key` as its avatar; null otherwise, so deleting the companion or changing
 * its avatar revokes the URL at once. Not user-scoped: only who may see it was given the URL.
 */
export async function findCompanionAvatar(db: Database, params: { companionId: string; key: string }): Promise<{ visibility: CompanionVisibility } | null> {
  const [row] = await db
    .select({ visibility: companions.visibility })
    .from(companions)
    .where(and(eq(companions.id, params.companionId), eq(companions.avatarKey, params.key)))
    .prepare("media_companion_avatar")
    .execute();
  return row ?? null;
}
