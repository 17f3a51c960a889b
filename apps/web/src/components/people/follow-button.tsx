"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** Follow or Unfollow; afterwards every social and stories query is read again (lists, the feed). */
export function FollowButton({ userId, following, name }: { userId: string; following: boolean; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.social.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() }),
    ]);
  const follow = useMutation(trpc.social.follow.mutationOptions({ onSuccess }));
  const unfollow = useMutation(trpc.social.unfollow.mutationOptions({ onSuccess }));
  const pending = follow.isPending || unfollow.isPending;
  return (
    <div className="stack-sm">
      {following ? (
        <button type="button" className="button button--secondary" disabled={pending} onClick={() => unfollow.mutate({ userId })}>
          Unfollow {name}
        </button>
      ) : (
        <button type="button" className="button" disabled={pending} onClick={() => follow.mutate({ userId })}>
          Follow {name}
        </button>
      )}
      <ErrorMessage error={follow.error ?? unfollow.error} />
    </div>
  );
}
