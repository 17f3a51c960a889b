"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { BlockButton } from "@/components/moderation/block-button";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** The people I blocked and muted, each with a way back (BlockButton / social.unmute). */
export function BlockedMuted() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.social.pathKey() });
  const blocked = useInfiniteQuery(trpc.social.blocked.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const muted = useInfiniteQuery(trpc.social.muted.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const unmute = useMutation(trpc.social.unmute.mutationOptions({ onSuccess: invalidate }));

  const lists = [
    { title: "Blocked", query: blocked, muteList: false },
    { title: "Muted", query: muted, muteList: true },
  ];

  return (
    <section className="card stack-sm" aria-labelledby="blocked-muted">
      <h2 id="blocked-muted">Blocked and muted people</h2>
      {lists.map(({ title, query, muteList }) => {
        const items = query.data?.pages.flatMap((p) => p.items) ?? [];
        return (
          <div key={title} className="stack-sm">
            <h3>{title}</h3>
            {query.isPending ? <p role="status">Loading…</p> : null}
            <ErrorMessage error={query.error} />
            {query.isSuccess && items.length === 0 ? <p className="muted">Nobody.</p> : null}
            <ul className="list-reset stack-sm">
              {items.map(({ user }) => (
                <li key={user.id} className="actions">
                  <span>{user.displayName}</span>
                  {muteList ? (
                    <button type="button" className="button button--secondary" onClick={() => unmute.mutate({ userId: user.id })}>
                      Unmute {user.displayName}
                    </button>
                  ) : (
                    <BlockButton userId={user.id} name={user.displayName} blocked />
                  )}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      <ErrorMessage error={unmute.error} />
    </section>
  );
}
