"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { CompanionCard } from "@/components/companions/companion-card";
import { ErrorMessage, LoadMore } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

const PAGE_SIZE = 12;

/** Browse the companions I may see, a keyset page at a time ("Load more"). */
export default function CompanionsPage() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.companions.list.infiniteQueryOptions({ limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const companions = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="stack">
      <div className="actions actions--spread">
        <h1>Companions</h1>
        <div className="actions">
          <Link href="/companions/mine">My companions</Link>
          <Link className="button button--secondary" href="/companions/new">
            Create a companion
          </Link>
        </div>
      </div>
      {list.isPending ? <p role="status">Loading companions…</p> : null}
      <ErrorMessage error={list.error} />
      {list.isSuccess && companions.length === 0 ? <p>No companions yet.</p> : null}
      <ul className="grid" aria-label="Companions">
        {companions.map((companion) => (
          <li key={companion.id}>
            <CompanionCard companion={companion} />
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
    </section>
  );
}
