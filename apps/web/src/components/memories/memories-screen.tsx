"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useMyCompanions } from "@/components/companions/use-my-companions";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { MemoryItem } from "./memory-item";
import { NewMemoryForm } from "./new-memory-form";

/** My memories (pinned first, then newest: the API's order), filtered by companion and source. */
export function MemoriesScreen() {
  const trpc = useTRPC();
  const my = useMyCompanions();
  const [companionId, setCompanionId] = useState("");
  const [source, setSource] = useState<"" | "manual" | "auto">("");
  const input = { limit: 20, ...(companionId ? { companionId } : {}), ...(source ? { source } : {}) };
  const list = useInfiniteQuery(trpc.memories.list.infiniteQueryOptions(input, { getNextPageParam: (p) => p.nextCursor }));
  const summary = useQuery({ ...trpc.memories.summary.queryOptions({ companionId }), enabled: companionId !== "" });
  const names = new Map(my.companions.map((c) => [c.id, c.name]));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  if (my.isPending) return <p role="status">Loading…</p>;
  if (my.isError) return <ErrorMessage error={my.error} />;

  return (
    <section className="stack">
      <h1>Memories</h1>
      <p className="muted">What your companions remember about you. Pinned memories always come first and weigh most.</p>
      {my.companions.length === 0 ? (
        <p>
          Connect with a companion first: <Link href="/companions">browse companions</Link>.
        </p>
      ) : (
        <NewMemoryForm companions={my.companions} defaultCompanionId={companionId || (my.companions[0]?.id ?? "")} />
      )}
      <div className="actions filters">
        <div className="field">
          <label htmlFor="filter-companion">Show memories with</label>
          <select id="filter-companion" value={companionId} onChange={(e) => setCompanionId(e.target.value)}>
            <option value="">Every companion</option>
            {my.companions.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-source">Saved by</label>
          <select id="filter-source" value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
            <option value="">Anyone</option>
            <option value="manual">Me</option>
            <option value="auto">The companion</option>
          </select>
        </div>
      </div>
      {companionId && summary.data ? (
        <details className="card">
          <summary>Conversation summary with {names.get(companionId)} (version {summary.data.version})</summary>
          <p className="prewrap">{summary.data.content}</p>
        </details>
      ) : null}
      {list.isPending ? <p role="status">Loading memories…</p> : null}
      <ErrorMessage error={list.error} />
      {list.isSuccess && items.length === 0 ? <p>No memories yet.</p> : null}
      {items.length > 0 ? (
        <ul className="stack list-reset" aria-label="My memories">
          {items.map((m) => (
            <MemoryItem key={m.id} memory={m} companionName={names.get(m.companionId) ?? "a companion"} />
          ))}
        </ul>
      ) : null}
      {list.hasNextPage ? (
        <button type="button" className="button button--secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Show more memories
        </button>
      ) : null}
    </section>
  );
}
