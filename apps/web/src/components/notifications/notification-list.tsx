"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { ErrorMessage, LoadMore } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { isKnownKind, notificationHref } from "./notification-kinds";

const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" });

/** My notifications, newest first, a keyset page at a time; each unread one can be marked read, or all at once. */
export function NotificationList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useInfiniteQuery(trpc.notifications.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (p) => p.nextCursor }));
  const onRead = (result: { unreadCount: number }) => {
    queryClient.setQueryData(trpc.notifications.unreadCount.queryKey(), { unreadCount: result.unreadCount });
    return queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() });
  };
  const read = useMutation(trpc.notifications.read.mutationOptions({ onSuccess: onRead }));
  const readAll = useMutation(trpc.notifications.readAll.mutationOptions({ onSuccess: onRead }));
  // Kinds added to the API after this app was built are skipped, as the API asks.
  const items = (list.data?.pages.flatMap((p) => p.items) ?? []).filter((n) => isKnownKind(n.kind));
  const anyUnread = items.some((n) => n.readAt === null);

  return (
    <section className="stack-sm" aria-labelledby="notifications-list">
      <div className="page-title">
        <h2 id="notifications-list">Latest</h2>
        <button type="button" className="button button--secondary" disabled={!anyUnread || readAll.isPending} onClick={() => readAll.mutate()}>
          Mark all read
        </button>
      </div>
      {list.isPending ? <p role="status">Loading notifications…</p> : null}
      <ErrorMessage error={list.error ?? read.error ?? readAll.error} />
      {list.isSuccess && items.length === 0 ? <p>No notifications yet.</p> : null}
      <ul className="notifications" aria-label="Notifications" aria-live="polite">
        {items.map((n) => {
          const href = notificationHref(n);
          const unread = n.readAt === null;
          return (
            <li key={n.id} className={`card notification ${unread ? "notification--unread" : ""}`}>
              <p>
                {unread ? <span className="visually-hidden">Unread: </span> : null}
                {href ? <Link href={href}>{n.text}</Link> : n.text}
              </p>
              <p className="muted">
                <time dateTime={n.createdAt}>{when(n.createdAt)}</time>
              </p>
              {unread ? (
                <button type="button" className="link-button" disabled={read.isPending} onClick={() => read.mutate({ ids: [n.id] })} aria-label={`Mark read: ${n.text}`}>
                  Mark read
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <LoadMore list={list} label="Older notifications" />
    </section>
  );
}
