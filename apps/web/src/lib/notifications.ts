"use client";
import { useQuery } from "@tanstack/react-query";
import { useSession } from "./session";
import { useTRPC } from "./trpc";

/**
 * My unread notification count for the header badge, or null while unknown.
 * Placeholder for "live": it polls every minute. The notifications screen should make it live
 * by invalidating this query on `events.subscribe` notification events (docs/realtime.md).
 */
export function useUnreadCount(): number | null {
  const trpc = useTRPC();
  const { status } = useSession();
  const { data } = useQuery({
    ...trpc.notifications.unreadCount.queryOptions(),
    enabled: status === "signed-in",
    refetchInterval: 60_000,
  });
  return data?.unreadCount ?? null;
}
