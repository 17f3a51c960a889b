"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** My weekly digests, newest week first: the companion's letter and the week's numbers. */
export function DigestsList() {
  const trpc = useTRPC();
  const digests = useInfiniteQuery(trpc.insights.digests.infiniteQueryOptions({ limit: 5 }, { getNextPageParam: (p) => p.nextCursor }));
  const items = digests.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="digests" className="stack-sm">
      <h2 id="digests">Weekly digests</h2>
      {digests.isPending ? <p role="status">Loading digests…</p> : null}
      <ErrorMessage error={digests.error} />
      {digests.isSuccess && items.length === 0 ? <p className="muted">No digest yet: one comes each week you talk with a companion.</p> : null}
      <ul className="stack-sm list-reset">
        {items.map((d) => (
          <li key={d.id} className="card stack-sm">
            <h3 className="card__title">
              {d.companionName}, week of {d.weekStart}
            </h3>
            <p className="muted">
              {d.stats.userMessages} messages from you, {d.stats.companionMessages} replies, {d.stats.daysTalked} days talked
              {d.stats.mood.start && d.stats.mood.end ? `, mood ${d.stats.mood.start} → ${d.stats.mood.end}` : ""}
            </p>
            <p className="prewrap">{d.letter}</p>
          </li>
        ))}
      </ul>
      {digests.hasNextPage ? (
        <button type="button" className="button button--secondary" onClick={() => void digests.fetchNextPage()}>
          Older digests
        </button>
      ) : null}
    </section>
  );
}
