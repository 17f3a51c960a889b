/**
 * The Companion API as the Next.js server (route handlers) calls it. Server-only: it reads
 * API_URL, which may differ from the browser's PUBLIC_API_URL (an internal address, e.g.
 * http://server:3000 in docker-compose.yml); unset, the public one.
 */
import { createClient, isTRPCClientError, type CompanionClient } from "@companion/client";
import { NextResponse } from "next/server";
import { API_URL } from "../api-url";
import type { SessionErrorResponse } from "../session-api";

const serverApiUrl = () => process.env.API_URL ?? API_URL;

/** A client for one request: with the caller's access token when given, passing the browser's user agent on. */
export function serverClient(request: Request, accessToken?: string): CompanionClient {
  const userAgent = request.headers.get("user-agent");
  return createClient({
    url: serverApiUrl(),
    ...(accessToken ? { getAccessToken: () => accessToken } : {}),
    headers: userAgent ? { "user-agent": userAgent } : {},
  });
}

/** A failed API call as the page sees it: same status and code, field errors for BAD_REQUEST; anything else is a 502. */
export function errorResponse(err: unknown): NextResponse<SessionErrorResponse> {
  if (isTRPCClientError(err) && err.data) {
    const body = { error: { code: err.data.code, message: err.message, fieldErrors: err.data.zodError?.fieldErrors ?? {} } };
    return NextResponse.json(body, { status: err.data.httpStatus });
  }
  console.error("companion api call failed", err);
  return NextResponse.json({ error: { code: "BAD_GATEWAY", message: "The Companion API could not be reached", fieldErrors: {} } }, { status: 502 });
}

/** An answer for a request with no (valid) session. */
export const signedOut = () =>
  NextResponse.json<SessionErrorResponse>({ error: { code: "UNAUTHORIZED", message: "Not signed in", fieldErrors: {} } }, { status: 401 });
