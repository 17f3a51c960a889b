"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** The people I blocked and muted, each with a way back (social.unblock / social.unmute). */
export function BlockedMuted() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.social.pathKey() });
  const blocked = useInfiniteQuery(trpc.social.blocked.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const muted = useInfiniteQuery(trpc.social.muted.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const unblock = useMutation(trpc.social.unblock.mutationOptions({ onSuccess: invalidate }));
  const unmute = useMutation(trpc.social.unmute.mutationOptions({ onSuccess: invalidate }));

  const lists = [
    { title: "Blocked", query: blocked, action: (userId: string, name: string) => ({ label: `Unblock ${name}`, run: () => unblock.mutate({ userId }) }) },
    { title: "Muted", query: muted, action: (userId: string, name: string) => ({ label: `Unmute ${name}`, run: () => unmute.mutate({ userId }) }) },
  ];

  return (
    <section className="card stack-sm" aria-labelledby="blocked-muted">
      <h2 id="blocked-muted">Blocked and muted people</h2>
      {lists.map(({ title, query, action }) => {
        const items = query.data?.pages.flatMap((p) => p.items) ?? [];
        return (
          <div key={title} className="stack-sm">
            <h3>{title}</h3>
            {query.isPending ? <p role="status">Loading…</p> : null}
            <ErrorMessage error={query.error} />
            {query.isSuccess && items.length === 0 ? <p className="muted">Nobody.</p> : null}
            <ul className="list-reset stack-sm">
              {items.map(({ user }) => {
                const a = action(user.id, user.displayName);
                return (
                  <li key={user.id} className="actions">
                    <span>{user.displayName}</span>
                    <button type="button" className="button button--secondary" onClick={a.run}>
                      {a.label}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
      <ErrorMessage error={unblock.error ?? unmute.error} />
    </section>
  );
}
