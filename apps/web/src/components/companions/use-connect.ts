"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";

/** companions.connect, refreshing every companions query afterwards (list and profile show the relationship). */
export function useConnect() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.companions.connect.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.companions.pathKey() }),
    }),
  );
}
