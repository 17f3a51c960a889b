/**
 * The contract between the page and the session route handlers (src/app/api/session/*):
 * shared so both sides agree on the shapes.
 */
import type { RouterOutputs } from "@companion/client";

export type SessionUser = RouterOutputs["auth"]["login"]["user"];

/** What register, login and refresh answer with 200. */
export interface SessionResponse {
  user: SessionUser;
  accessToken: string;
}

/** What they answer otherwise: the API's tRPC code, its message, and field errors for BAD_REQUEST. */
export interface SessionErrorResponse {
  error: { code: string; message: string; fieldErrors: Record<string, string[] | undefined> };
}
