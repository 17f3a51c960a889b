"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ImportCard } from "@/components/companions/import-card";
import { OwnCompanionRow } from "@/components/companions/own-companion-row";
import { ErrorMessage, LoadMore } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

const PAGE_SIZE = 12;

/** The companions I made (companions.mine), with create, import a card, edit, export and delete. */
export default function MyCompanionsPage() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(trpc.companions.mine.infiniteQueryOptions({ limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }));
  const companions = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="stack">
      <p>
        <Link href="/companions">← All companions</Link>
      </p>
      <div className="actions actions--spread">
        <h1>My companions</h1>
        <Link className="button" href="/companions/new">
          Create a companion
        </Link>
      </div>
      <ImportCard />
      {list.isPending ? <p role="status">Loading your companions…</p> : null}
      <ErrorMessage error={list.error} />
      {list.isSuccess && companions.length === 0 ? <p>You have not made a companion yet.</p> : null}
      <ul className="grid" aria-label="My companions">
        {companions.map((companion) => (
          <li key={companion.id}>
            <OwnCompanionRow companion={companion} />
          </li>
        ))}
      </ul>
      <LoadMore list={list} />
    </section>
  );
}
