"use client";
import { API_URL } from "@/lib/api-url";
import { useClient } from "@/lib/trpc";

/**
 * An image from the browser to a media key (docs/media.md): createUpload, PUT the bytes to the
 * (possibly relative) upload URL, completeUpload. The key then goes in `avatarKey`.
 */
const AVATAR_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const;
type AvatarType = (typeof AVATAR_TYPES)[number];
const isAvatarType = (type: string): type is AvatarType => (AVATAR_TYPES as readonly string[]).includes(type);

/** What the file input accepts: the image types media.createUpload takes. */
export const AVATAR_ACCEPT = AVATAR_TYPES.join(",");

export function useUploadAvatar() {
  const client = useClient();
  return async (file: File): Promise<string> => {
    if (!isAvatarType(file.type)) throw new Error("Choose a JPEG, PNG, WebP or GIF image.");
    const up = await client.media.createUpload.mutate({ contentType: file.type, byteSize: file.size, fileName: file.name });
    const res = await fetch(new URL(up.uploadUrl, API_URL), { method: up.method, headers: up.headers, body: file });
    if (!res.ok) throw new Error(`The upload failed (HTTP ${res.status}).`);
    await client.media.completeUpload.mutate({ mediaKey: up.mediaKey });
    return up.mediaKey;
  };
}
