"use client";
/**
 * The API from React. Screens use:
 * - `useTRPC()` for queries and mutations through TanStack Query:
 *   `useQuery(trpc.companions.byId.queryOptions({ companionId }))`,
 *   `useInfiniteQuery(trpc.companions.list.infiniteQueryOptions({ limit: 20 }, { getNextPageParam: (p) => p.nextCursor }))`,
 *   `useMutation(trpc.companions.connect.mutationOptions({ onSuccess }))`.
 * - `useClient()` for the plain typed client, for what is not a query: streams (`messages.start`)
 *   and subscriptions (`events.subscribe`), with `.subscribe(input, { onData, onError })`.
 *
 * The client takes the access token from memory (session.tsx) and, on UNAUTHORIZED, asks the
 * session for a new one once and retries; a failed refresh signs the page out.
 */
import { createClient } from "@companion/client";
import type { AppRouter } from "@companion/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import { API_URL } from "./api-url";
import { useSession } from "./session";

const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export { useTRPC };
/**
 * The vanilla typed client (streams, subscriptions, one-off calls).
 * @public for the chat and realtime screens still to come (knip would flag it until one uses it).
 */
export const useClient = useTRPCClient;

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // The client already retried an expired token; other failures are shown, not hammered.
      queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: false },
    },
  });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const session = useSession();
  const [queryClient] = useState(makeQueryClient);
  // Created once: it reads the token through the getters, so it never needs rebuilding.
  const [trpcClient] = useState(() =>
    createClient({ url: API_URL, getAccessToken: session.getAccessToken, refreshSession: session.refresh }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
