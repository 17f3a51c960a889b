import type { RouterInputs, RouterOutputs } from "@companion/client";
import { API_URL } from "@/lib/api-url";

type ContentType = RouterInputs["media"]["createUpload"]["contentType"];
type Upload = RouterOutputs["media"]["createUpload"];

/** The bytes PUT to the signed URL did not go through (expired, wrong size or type). */
class UploadFailed extends Error {}

/**
 * Sends a file's bytes to the URL `media.createUpload` signed (docs/media.md): relative on local
 * storage, so resolved against the API origin; the signed headers pin type and size.
 */
export async function putBytes(upload: Upload, file: File): Promise<void> {
  const response = await fetch(new URL(upload.uploadUrl, API_URL), { method: upload.method, headers: upload.headers, body: file });
  if (!response.ok) throw new UploadFailed(`The upload failed (HTTP ${response.status}).`);
}

/**
 * The file's type as the API's input wants it. The server decides what it accepts (and says
 * so as a field error), so an unknown type is passed through for it to refuse.
 */
export const contentTypeOf = (file: File): ContentType => (file.type || "application/octet-stream") as ContentType;
