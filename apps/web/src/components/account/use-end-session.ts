"use client";

/**
 * After the API has ended every session (logoutAll, account deletion), this browser's refresh
 * cookie must go too: POST /api/session/logout (its auth.logout fails quietly on the revoked
 * token; the cookie is cleared either way), then a full page load of `to`.
 *
 * Not session.signOut() + router.replace(): signing out flips the session to "signed-out" while
 * this page is still under (app)/, and <RequireSession> would send it to /sign-in?next=… first,
 * winning the race with our own navigation. A full load also drops the query cache and the
 * in-memory access token, and the provider finds no cookie on the next page.
 */
export function useEndSession() {
  return async (to: string) => {
    await fetch("/api/session/logout", { method: "POST", cache: "no-store" }).catch(() => undefined);
    window.location.replace(to);
  };
}
