"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";

/**
 * The companions I am connected to (memories and insights are per relationship). The API has
 * no "my relationships" list, so this reads the first 100 companions and keeps the connected ones.
 */
export function useMyCompanions() {
  const trpc = useTRPC();
  const list = useQuery(trpc.companions.list.queryOptions({ limit: 100 }));
  const companions = (list.data?.items ?? []).filter((c) => c.relationship !== null).map((c) => ({ id: c.id, name: c.name }));
  return { ...list, companions };
}
