import type { NextRequest } from "next/server";
import { errorResponse, serverClient } from "@/lib/server/companion-api";
import { readDeviceToken } from "@/lib/server/session-cookies";
import { badBody, readJsonObject, refuseForeignOrigin, sessionStarted, stringField } from "@/lib/server/session-routes";

/** POST { email, password } → { user, accessToken }; sends this browser's device token along (docs/auth.md#throttling). */
export async function POST(request: NextRequest) {
  const refused = refuseForeignOrigin(request);
  if (refused) return refused;
  const body = await readJsonObject(request);
  if (!body) return badBody();
  const deviceToken = readDeviceToken(request);
  try {
    const session = await serverClient(request).auth.login.mutate({
      email: stringField(body, "email"),
      password: stringField(body, "password"),
      ...(deviceToken ? { deviceToken } : {}),
    });
    return sessionStarted(request, session);
  } catch (err) {
    return errorResponse(err);
  }
}
