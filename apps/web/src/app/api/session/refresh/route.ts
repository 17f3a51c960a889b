import { NextResponse, type NextRequest } from "next/server";
import { errorCode } from "@companion/client";
import type { SessionResponse } from "@/lib/session-api";
import { errorResponse, serverClient, signedOut } from "@/lib/server/companion-api";
import { clearRefreshToken, readRefreshToken, setRefreshToken } from "@/lib/server/session-cookies";
import { refuseForeignOrigin } from "@/lib/server/session-routes";

/**
 * POST → { user, accessToken } from the refresh cookie (rotated on every call), or 401 when
 * there is no session. Called on page load (to restore the session) and by the client when an
 * access token has expired.
 */
export async function POST(request: NextRequest) {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const refreshToken = readRefreshToken(request);
  if (!refreshToken) return signedOut();
  try {
    const { tokens } = await serverClient(request).auth.refresh.mutate({ refreshToken });
    const me = await serverClient(request, tokens.accessToken).auth.me.query();
    const user = { id: me.id, email: me.email, displayName: me.displayName, role: me.role, createdAt: me.createdAt };
    const response = NextResponse.json<SessionResponse>({ user, accessToken: tokens.accessToken });
    setRefreshToken(request, response, tokens.refreshToken, tokens.refreshTokenExpiresAt);
    return response;
  } catch (err) {
    if (errorCode(err) !== "UNAUTHORIZED") return errorResponse(err);
    // The session is over (expired, revoked, reused): forget the cookie.
    const response = signedOut();
    clearRefreshToken(request, response);
    return response;
  }
}
