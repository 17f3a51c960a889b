/**
 * Where the Companion API lives, as the browser sees it. NEXT_PUBLIC_ variables are inlined at
 * build time, so a deployment sets it before `next build`.
 */
export const API_URL = (process.env.NEXT_PUBLIC_API_URL ?? "http://localhost:3000").replace(/\/+$/, "");

/**
 * The API answers media URLs relative to its own origin on local storage (`/media/...`) and
 * absolute on S3; either way this gives a URL the browser can load. null stays null.
 */
export function mediaUrl(path: string | null | undefined): string | null {
  if (!path) return null;
  if (/^https?:\/\//.test(path)) return path;
  return `${API_URL}${path.startsWith("/") ? "" : "/"}${path}`;
}
