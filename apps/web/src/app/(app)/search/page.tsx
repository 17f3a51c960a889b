"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useId, useMemo, type FormEvent } from "react";
import { ErrorMessage, LoadMore } from "@/components/query-state";
import { Highlighted } from "@/components/search/highlighted";
import { useTRPC } from "@/lib/trpc";

const PAGE_SIZE = 20;

/**
 * Search my messages and memories (search.query, docs/search.md). The query lives in the URL
 * (`?q=`), so a result page can be reloaded or shared with myself; each hit links to its chat.
 */
function SearchScreen() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const inputId = useId();
  const q = params.get("q")?.trim() ?? "";
  const results = useInfiniteQuery(
    trpc.search.query.infiniteQueryOptions({ q, limit: PAGE_SIZE }, { enabled: q !== "", getNextPageParam: (page) => page.nextCursor }),
  );
  // Names for the hits: the companions of my conversations (one page covers most people).
  const conversations = useQuery(trpc.messages.conversations.queryOptions({ limit: 50 }, { enabled: q !== "" }));
  const names = useMemo(() => new Map(conversations.data?.items.map((c) => [c.companion.id, c.companion.name])), [conversations.data]);
  const hits = results.data?.pages.flatMap((page) => page.items) ?? [];

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("q");
    const next = typeof value === "string" ? value.trim() : "";
    router.push(next ? `/search?q=${encodeURIComponent(next)}` : "/search");
  };

  return (
    <section className="stack">
      <h1>Search</h1>
      <form role="search" className="composer" onSubmit={onSubmit}>
        <label htmlFor={inputId} className="visually-hidden">
          Search my conversations and memories
        </label>
        <input id={inputId} name="q" type="search" defaultValue={q} key={q} maxLength={200} placeholder='words, "a phrase", -excluded' className="search-input" />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {q && results.isPending ? <p role="status">Searching…</p> : null}
      <ErrorMessage error={results.error} />
      {q && results.isSuccess && hits.length === 0 ? <p role="status">Nothing found for “{q}”.</p> : null}
      {hits.length > 0 ? (
        <ul className="search-results" aria-label="Results">
          {hits.map((hit) => {
            const who = names.get(hit.companionId) ?? "a companion";
            const label = hit.kind === "memory" ? `Memory with ${who}` : hit.role === "user" ? `You to ${who}` : `${who} to you`;
            return (
              <li key={`${hit.kind}-${hit.id}`} className="card stack-sm">
                <p className="muted small">
                  {label} · <time dateTime={hit.createdAt}>{new Date(hit.createdAt).toLocaleDateString()}</time>
                </p>
                <p>
                  <Highlighted text={hit.snippet} highlights={hit.highlights} />
                </p>
                <Link className="small" href={hit.kind === "memory" ? "/memories" : `/chats/${hit.companionId}`}>
                  {hit.kind === "memory" ? "Open memories" : `Open the chat with ${who}`}
                </Link>
              </li>
            );
          })}
        </ul>
      ) : null}
      <LoadMore list={results} label="More results" />
    </section>
  );
}

/** useSearchParams needs a Suspense boundary for the static build. */
export default function SearchPage() {
  return (
    <Suspense fallback={<p role="status">Loading…</p>}>
      <SearchScreen />
    </Suspense>
  );
}
