import type { CompanionClient } from "@companion/client";
import { API_URL } from "./api-url";

type ImageType = "image/jpeg" | "image/png" | "image/webp" | "image/gif";
const IMAGE_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

const isImageType = (type: string): type is ImageType => IMAGE_TYPES.includes(type);

/**
 * Uploads one image the way docs/media.md says: media.createUpload for a signed URL (relative on
 * local storage, so resolved against the API origin), PUT the bytes, media.completeUpload.
 * Returns the media key to put in an avatarKey.
 */
export async function uploadImage(client: CompanionClient, file: File): Promise<string> {
  if (!isImageType(file.type)) throw new Error("Choose a JPEG, PNG, WebP or GIF image.");
  const up = await client.media.createUpload.mutate({ contentType: file.type, byteSize: file.size, fileName: file.name });
  const response = await fetch(new URL(up.uploadUrl, API_URL), { method: up.method, headers: up.headers, body: file });
  if (!response.ok) throw new Error(`The upload failed (HTTP ${response.status}).`);
  await client.media.completeUpload.mutate({ mediaKey: up.mediaKey });
  return up.mediaKey;
}
