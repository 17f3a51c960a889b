"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";

/** As many edges as one page holds. */
const EDGE_PAGE = 100;

/**
 * What this app can know of a person by id. The API has no profile-by-id call, so the name
 * comes from a follow edge between us (a name is public on an edge), and "do I follow them"
 * from the first page of whom I follow (the latest 100: an older follow reads as not
 * following; Follow is idempotent, so pressing it then does no harm).
 */
export function usePerson(personId: string) {
  const trpc = useTRPC();
  const myFollowing = useQuery(trpc.social.following.queryOptions({ limit: EDGE_PAGE }));
  const myFollowers = useQuery(trpc.social.followers.queryOptions({ limit: EDGE_PAGE }));
  const asFollowee = myFollowing.data?.items.find((e) => e.user.id === personId);
  const asFollower = myFollowers.data?.items.find((e) => e.user.id === personId);
  return {
    isPending: myFollowing.isPending || myFollowers.isPending,
    error: myFollowing.error ?? myFollowers.error,
    followingThem: asFollowee !== undefined,
    followsMe: asFollower !== undefined,
    name: (asFollowee ?? asFollower)?.user.displayName ?? null,
  };
}
