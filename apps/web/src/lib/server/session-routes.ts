/** What the session route handlers share: the Origin check, reading the body, answering with a new session. */
import { NextResponse, type NextRequest } from "next/server";
import type { RouterOutputs } from "@companion/client";
import type { SessionErrorResponse, SessionResponse } from "../session-api";
import { isSameOrigin, setDeviceToken, setRefreshToken } from "./session-cookies";

type AuthSession = RouterOutputs["auth"]["login"];

/** A refusal for a cross-origin call, or null to go on. */
export function refuseForeignOrigin(request: NextRequest): NextResponse<SessionErrorResponse> | null {
  if (isSameOrigin(request)) return null;
  return NextResponse.json({ error: { code: "FORBIDDEN", message: "Cross-origin request refused", fieldErrors: {} } }, { status: 403 });
}

/** The JSON body as an object (the API validates its fields), or null when it is not one. */
export async function readJsonObject(request: NextRequest): Promise<Record<string, unknown> | null> {
  const body: unknown = await request.json().catch(() => null);
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

export const badBody = () =>
  NextResponse.json<SessionErrorResponse>({ error: { code: "BAD_REQUEST", message: "Expected a JSON object", fieldErrors: {} } }, { status: 400 });

/** register and login: the page gets the user and the access token; the refresh and device tokens go into cookies. */
export function sessionStarted(request: NextRequest, session: AuthSession): NextResponse<SessionResponse> {
  const response = NextResponse.json<SessionResponse>({ user: session.user, accessToken: session.tokens.accessToken });
  setRefreshToken(request, response, session.tokens.refreshToken, session.tokens.refreshTokenExpiresAt);
  setDeviceToken(request, response, session.deviceToken);
  return response;
}

/** A string field of the body; anything else becomes "" so the API names the field in its error. */
export const stringField = (body: Record<string, unknown>, name: string) => {
  const value = body[name];
  return typeof value === "string" ? value : "";
};
