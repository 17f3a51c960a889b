"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/**
 * Mute or Unmute (social.mute / unmute): a muted person's stories leave my feed, silently.
 * `muted` comes from social.profile, which is read again afterwards, as is the feed.
 */
export function MuteButton({ userId, muted, name }: { userId: string; muted: boolean; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.social.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() }),
    ]);
  const mute = useMutation(trpc.social.mute.mutationOptions({ onSuccess }));
  const unmute = useMutation(trpc.social.unmute.mutationOptions({ onSuccess }));
  const pending = mute.isPending || unmute.isPending;
  return (
    <>
      {muted ? (
        <button type="button" className="button button--secondary" disabled={pending} onClick={() => unmute.mutate({ userId })}>
          Unmute {name}
        </button>
      ) : (
        <button type="button" className="button button--secondary" disabled={pending} onClick={() => mute.mutate({ userId })}>
          Mute {name}
        </button>
      )}
      <ErrorMessage error={mute.error ?? unmute.error} />
    </>
  );
}
