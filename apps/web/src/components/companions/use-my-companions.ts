"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "@/lib/trpc";

/** As many relationships as one page holds; a person connected with more reads further pages. */
const PAGE = 100;

/**
 * The companions I am connected to (companions.connected, newest connection first): memories and
 * insights are per relationship, and their pickers need every one, so further pages are read
 * until the list ends (one page for nearly everyone).
 */
export function useMyCompanions() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(trpc.companions.connected.infiniteQueryOptions({ limit: PAGE }, { getNextPageParam: (p) => p.nextCursor }));
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const companions = (list.data?.pages ?? []).flatMap((p) => p.items).map((c) => ({ id: c.id, name: c.name }));
  return { isPending: list.isPending, isError: list.isError, isSuccess: list.isSuccess, error: list.error, companions };
}
