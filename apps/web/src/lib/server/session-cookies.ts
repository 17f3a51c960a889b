/**
 * Where the web app keeps what must outlive a page: the refresh token and the device token,
 * each in an httpOnly cookie that only the session route handlers ever see.
 *
 * Why this design (docs in apps/web/README.md):
 * - httpOnly: a script injected into a page (XSS) cannot read the refresh token and so cannot
 *   take the session away with it; at most it acts while the page is open.
 * - SameSite=Strict + POST-only routes + an Origin check: another site cannot make the browser
 *   call /api/session/* with the cookie (CSRF).
 * - Path=/api/session: the cookie is not sent with page loads or anything else, only to the
 *   four route handlers that need it.
 * - Secure when served over https (a local http dev server could not set it otherwise).
 * - The access token never touches a cookie or storage: the route handlers return it to the
 *   page, which keeps it in memory (src/lib/session.tsx); a reload gets a new one via refresh.
 */
import type { NextRequest, NextResponse } from "next/server";

const REFRESH_COOKIE = "companion_refresh";
const DEVICE_COOKIE = "companion_device";
const COOKIE_PATH = "/api/session";
const DEVICE_TOKEN_MAX_AGE_SEC = 365 * 24 * 3600;

const isHttps = (request: NextRequest) =>
  request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";

const baseCookie = (request: NextRequest) => ({
  httpOnly: true,
  sameSite: "strict" as const,
  secure: isHttps(request),
  path: COOKIE_PATH,
});

export const readRefreshToken = (request: NextRequest) => request.cookies.get(REFRESH_COOKIE)?.value ?? null;
export const readDeviceToken = (request: NextRequest) => request.cookies.get(DEVICE_COOKIE)?.value ?? null;

export function setRefreshToken(request: NextRequest, response: NextResponse, token: string, expiresAt: string) {
  response.cookies.set(REFRESH_COOKIE, token, { ...baseCookie(request), expires: new Date(expiresAt) });
}

/** Kept for a year, across sign-outs: it is what lets this browser past the login throttles (docs/auth.md#throttling). */
export function setDeviceToken(request: NextRequest, response: NextResponse, token: string) {
  response.cookies.set(DEVICE_COOKIE, token, { ...baseCookie(request), maxAge: DEVICE_TOKEN_MAX_AGE_SEC });
}

export function clearRefreshToken(request: NextRequest, response: NextResponse) {
  response.cookies.set(REFRESH_COOKIE, "", { ...baseCookie(request), maxAge: 0 });
}

/**
 * SameSite=Strict already keeps other sites' requests cookie-less; refusing a foreign Origin
 * as well covers old browsers and same-site subdomains.
 */
export function isSameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
