"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/**
 * Block or unblock a person (social.block / social.unblock), blocking after a confirmation.
 * `blocked` is what the caller knows; the button then follows the API's answer. Drop-in:
 * `<BlockButton userId={person.id} name={person.displayName} blocked={false} />`.
 */
export function BlockButton({ userId, name, blocked: initiallyBlocked }: { userId: string; name: string; blocked: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [blocked, setBlocked] = useState(initiallyBlocked);
  const [confirming, setConfirming] = useState(false);
  const onSuccess = async (state: { blocked: boolean }) => {
    setBlocked(state.blocked);
    setConfirming(false);
    await queryClient.invalidateQueries({ queryKey: trpc.social.pathKey() });
  };
  const block = useMutation(trpc.social.block.mutationOptions({ onSuccess }));
  const unblock = useMutation(trpc.social.unblock.mutationOptions({ onSuccess }));

  return (
    <>
      {blocked ? (
        <button type="button" className="button button--secondary" disabled={unblock.isPending} onClick={() => unblock.mutate({ userId })}>
          Unblock {name}
        </button>
      ) : (
        <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
          Block {name}
        </button>
      )}
      <ErrorMessage error={block.error ?? unblock.error} />
      <ConfirmDialog
        open={confirming}
        title={`Block ${name}?`}
        confirmLabel={`Block ${name} now`}
        pending={block.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => block.mutate({ userId })}
      >
        <p>Neither of you will see the other's stories or follow the other; they are not told. You can unblock them from your account page.</p>
      </ConfirmDialog>
    </>
  );
}
