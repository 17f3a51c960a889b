import type { NextRequest } from "next/server";
import { errorResponse, serverClient } from "@/lib/server/companion-api";
import { badBody, readJsonObject, refuseForeignOrigin, sessionStarted, stringField } from "@/lib/server/session-routes";

/** POST { email, password, displayName } → { user, accessToken }; sets the refresh and device cookies. */
export async function POST(request: NextRequest) {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const body = await readJsonObject(request);
  if (!body) return badBody();
  try {
    const session = await serverClient(request).auth.register.mutate({
      email: stringField(body, "email"),
      password: stringField(body, "password"),
      displayName: stringField(body, "displayName"),
    });
    return sessionStarted(request, session);
  } catch (err) {
    return errorResponse(err);
  }
}
