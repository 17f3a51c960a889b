"use client";
import { errorCode } from "@companion/client";

/** A failed query or mutation, said plainly, in an alert region. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = errorCode(error) === "NOT_FOUND" ? "Not found." : error instanceof Error ? error.message : "Something went wrong.";
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}

/** The next keyset page of an infinite query, on demand; nothing once the last page is in. */
export function LoadMore({
  list,
  label = "Load more",
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  label?: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <button type="button" className="button button--secondary" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
      {list.isFetchingNextPage ? "Loading…" : label}
    </button>
  );
}
