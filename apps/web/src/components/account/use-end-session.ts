"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useSession } from "@/lib/session";

/**
 * After the API has ended every session (logoutAll, account deletion): this browser's refresh
 * cookie must go too. session.signOut() POSTs /api/session/logout, which tries auth.logout
 * (already revoked: ignored) and clears the cookie; then the cache is dropped and we leave.
 */
export function useEndSession() {
  const session = useSession();
  const queryClient = useQueryClient();
  const router = useRouter();
  return async (to: string) => {
    await session.signOut();
    queryClient.clear();
    router.replace(to);
  };
}
