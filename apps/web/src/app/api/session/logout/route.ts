import { NextResponse, type NextRequest } from "next/server";
import { serverClient } from "@/lib/server/companion-api";
import { clearRefreshToken, readRefreshToken } from "@/lib/server/session-cookies";
import { refuseForeignOrigin } from "@/lib/server/session-routes";

/** POST → { ok: true }: ends the session on the API (auth.logout) and clears the refresh cookie; the device cookie stays. */
export async function POST(request: NextRequest) {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const refreshToken = readRefreshToken(request);
  if (refreshToken) {
    // Signing out must work even when the API is down or the session already ended.
    await serverClient(request).auth.logout.mutate({ refreshToken }).catch((err: unknown) => console.error("auth.logout failed", err));
  }
  const response = NextResponse.json({ ok: true });
  clearRefreshToken(request, response);
  return response;
}
