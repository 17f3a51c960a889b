"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useSession } from "./session";
import { useClient, useTRPC } from "./trpc";

/**
 * My unread notification count for the header badge, or null while unknown. Fetched once;
 * from then on `useLiveEvents()` writes the count each notification event carries into this
 * query's cache, so the badge changes without polling or a reload.
 */
export function useUnreadCount(): number | null {
  const trpc = useTRPC();
  const { status } = useSession();
  const { data } = useQuery({
    ...trpc.notifications.unreadCount.queryOptions(),
    enabled: status === "signed-in",
    // The live events keep it fresh; a refetch would only race them.
    staleTime: Infinity,
  });
  return data?.unreadCount ?? null;
}

/** Wait before subscribing again after the stream failed (the client already retried its token). */
const RESUBSCRIBE_DELAY_MS = 3_000;

/**
 * My realtime events (`events.subscribe`, docs/realtime.md), once for the signed-in app (the
 * header calls it): notification events set the unread count and refresh the list, story
 * events refresh the feed and my stats, and a `resync` notice (events I missed were pruned)
 * refetches all of those. The tRPC client resumes a dropped stream by itself with the last id;
 * if the stream ends with an error, this subscribes again from the last id it saw.
 */
export function useLiveEvents(): void {
  const trpc = useTRPC();
  const client = useClient();
  const queryClient = useQueryClient();
  const { status, user } = useSession();
  const lastEventId = useRef<string | undefined>(undefined);
  const userId = status === "signed-in" ? (user?.id ?? null) : null;

  useEffect(() => {
    // Another person signed in on this page: their stream starts fresh.
    lastEventId.current = undefined;
    if (!userId) return;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe: () => void } | undefined;

    const refreshNotifications = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() });
    const refreshStories = () => queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() });

    const subscribe = () => {
      const input = lastEventId.current ? { lastEventId: lastEventId.current } : undefined;
      subscription = client.events.subscribe.subscribe(input, {
        // Whatever happened before the stream was set up is not replayed: read the count now.
        onStarted: () => void queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() }),
        onData: ({ id, data }) => {
          lastEventId.current = id;
          switch (data.type) {
            case "resync":
              void refreshNotifications();
              void refreshStories();
              break;
            case "notification.created":
            case "notification.updated":
              if (data.payload.unreadCount !== undefined) {
                queryClient.setQueryData(trpc.notifications.unreadCount.queryKey(), { unreadCount: data.payload.unreadCount });
              }
              // Events written before the count existed carry none: read it then.
              else void queryClient.invalidateQueries({ queryKey: trpc.notifications.unreadCount.queryKey() });
              void queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() });
              break;
            case "story.viewed":
            case "story.reacted":
            case "companion.story_posted":
              void refreshStories();
              break;
            default:
              break;
          }
        },
        onError: () => {
          subscription?.unsubscribe();
          if (!stopped) retry = setTimeout(subscribe, RESUBSCRIBE_DELAY_MS);
        },
      });
    };
    subscribe();
    return () => {
      stopped = true;
      clearTimeout(retry);
      subscription?.unsubscribe();
    };
  }, [client, queryClient, trpc, userId]);
}
