/**
 * Where the Companion API lives, as the browser sees it. Read at request time, not at build
 * time, so one build serves any address: the server takes it from its environment
 * (`PUBLIC_API_URL`, else `NEXT_PUBLIC_API_URL`, else http://localhost:3000) and the root layout
 * hands it to the browser in `window.__COMPANION_CONFIG__` before any app code runs
 * (src/app/runtime-config.tsx). Server-side calls may use another address: `API_URL`
 * (src/lib/server/companion-api.ts).
 */
declare global {
  interface Window {
    __COMPANION_CONFIG__?: { apiUrl: string };
  }
}

const trimSlashes = (url: string) => url.replace(/\/+$/, "");

/** The API's public address from this server's environment, read when called (server side). */
export function publicApiUrl(): string {
  // `||`, not `??`: an empty variable (compose's `${VAR:-}`) means unset.
  return trimSlashes(process.env.PUBLIC_API_URL || process.env.NEXT_PUBLIC_API_URL || "http://localhost:3000");
}

/**
 * In the browser, the address the page was rendered with; on the server, its environment's.
 * (A browser without the global, which the layout always renders, falls back to the build's
 * NEXT_PUBLIC_API_URL or the default.)
 */
export const API_URL = typeof window === "undefined" ? publicApiUrl() : trimSlashes(window.__COMPANION_CONFIG__?.apiUrl ?? publicApiUrl());

/**
 * The API answers media URLs relative to its own origin on local storage (`/media/...`) and
 * absolute on S3; either way this gives a URL the browser can load. null stays null.
 */
export function mediaUrl(path: string | null | undefined): string | null {
  if (!path) return null;
  if (/^https?:\/\//.test(path)) return path;
  return `${API_URL}${path.startsWith("/") ? "" : "/"}${path}`;
}
