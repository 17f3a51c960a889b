import { z } from "zod";
import { isoDateTime, text } from "./common.ts";

const MB = 1024 * 1024;

/**
 * What may be uploaded: content type → kind, file extension and size cap. Anything else is
 * refused before a URL is signed, and the signed URL pins the type and the exact size.
 */
export const MEDIA_TYPES = {
  "image/jpeg": { kind: "image", ext: "jpg", maxBytes: 10 * MB },
  "image/png": { kind: "image", ext: "png", maxBytes: 10 * MB },
  "image/webp": { kind: "image", ext: "webp", maxBytes: 10 * MB },
  "image/gif": { kind: "image", ext: "gif", maxBytes: 10 * MB },
  "video/mp4": { kind: "video", ext: "mp4", maxBytes: 50 * MB },
  "video/webm": { kind: "video", ext: "webm", maxBytes: 50 * MB },
} as const satisfies Record<string, { kind: "image" | "video"; ext: string; maxBytes: number }>;

export type MediaContentType = keyof typeof MEDIA_TYPES;
export type MediaKind = (typeof MEDIA_TYPES)[MediaContentType]["kind"];
const MEDIA_CONTENT_TYPES = Object.keys(MEDIA_TYPES) as [MediaContentType, ...MediaContentType[]];
export const mediaContentType = z.enum(MEDIA_CONTENT_TYPES);

const EXT_TO_TYPE = new Map<string, MediaContentType>(MEDIA_CONTENT_TYPES.map((t) => [MEDIA_TYPES[t].ext, t]));

/** `u/<userId>/<uuid>.<ext>`: who uploaded it is part of the key; the name is random. */
const MEDIA_KEY_PATTERN = /^u\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.([a-z0-9]+)$/;
export const mediaKey = z.string().max(200).regex(MEDIA_KEY_PATTERN, "Not a media key");

/**
 * Keys under `u/` are users' uploads, served only through signed URLs (docs/media.md);
 * every other key is media shipped with the server (demo slides, avatars), public as is.
 */
const isUserMediaKey = (key: string): boolean => key.startsWith("u/");

/** `c/<companionId>/<uuid>.svg`: a companion story's image card, written to the media store by the server (docs/stories.md). */
export const isCompanionMediaKey = (key: string): boolean => key.startsWith("c/");

/** Keys in the media store (uploads and companion cards), served through signed URLs only while their story is live. */
export const isStoredMediaKey = (key: string): boolean => isUserMediaKey(key) || isCompanionMediaKey(key);

/** The uploader and content type a well-formed key names, or null. */
export function parseMediaKey(key: string): { userId: string; contentType: MediaContentType; kind: MediaKind } | null {
  const m = MEDIA_KEY_PATTERN.exec(key);
  const contentType = m?.[2] ? EXT_TO_TYPE.get(m[2]) : undefined;
  if (!m?.[1] || !contentType) return null;
  return { userId: m[1], contentType, kind: MEDIA_TYPES[contentType].kind };
}

export const mediaCreateUploadInput = z
  .object({
    contentType: mediaContentType,
    byteSize: z.number().int().min(1),
    /** The name on the user's device; only its length is checked, keys are always random. */
    fileName: text().trim().min(1).max(255).optional(),
  })
  .superRefine((v, ctx) => {
    const max = MEDIA_TYPES[v.contentType].maxBytes;
    if (v.byteSize > max) ctx.addIssue({ code: "custom", path: ["byteSize"], message: `At most ${max} bytes for ${v.contentType}` });
  });
export type MediaCreateUploadInput = z.infer<typeof mediaCreateUploadInput>;

/** Upload the bytes with `method` to `uploadUrl` (resolve it against the API origin), sending `headers`. */
export const mediaCreateUploadOutput = z.object({
  uploadUrl: z.string(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  mediaKey,
  expiresAt: isoDateTime,
});
export type MediaCreateUploadOutput = z.infer<typeof mediaCreateUploadOutput>;

export const mediaCompleteUploadInput = z.object({ mediaKey });
const mediaUpload = z.object({
  mediaKey,
  contentType: mediaContentType,
  kind: z.enum(["image", "video"]),
  byteSize: z.number().int(),
  uploaded: z.boolean(),
  /**
   * The uploader's preview: a short-lived signed URL, relative to the API origin (local
   * storage) or absolute (S3).
   */
  url: z.string(),
});
export type MediaUpload = z.infer<typeof mediaUpload>;
export const mediaCompleteUploadOutput = mediaUpload;
