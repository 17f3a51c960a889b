"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** Every version of my last reply (messages.alternatives) with a button to make one count (selectAlternative). */
export function Alternatives({ messageId }: { messageId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.messages.alternatives.queryOptions({ messageId }));
  const select = useMutation(
    trpc.messages.selectAlternative.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.messages.pathKey() }) }),
  );

  if (list.isPending) return <p role="status">Loading versions…</p>;
  if (list.isError) return <ErrorMessage error={list.error} />;
  return (
    <div className="stack-sm">
      <ol className="alternatives" aria-label="Versions of the reply">
        {list.data.items.map((alt) => (
          <li key={alt.position} className={alt.selected ? "alternatives__item alternatives__item--selected" : "alternatives__item"}>
            <p className="prewrap">{alt.content || <em>(empty)</em>}</p>
            {alt.selected ? (
              <p className="muted small">Version {alt.position + 1}: shown</p>
            ) : (
              <button type="button" className="button button--secondary button--small" disabled={select.isPending} onClick={() => select.mutate({ messageId, position: alt.position })}>
                Use version {alt.position + 1}
              </button>
            )}
          </li>
        ))}
      </ol>
      <ErrorMessage error={select.error} />
    </div>
  );
}
