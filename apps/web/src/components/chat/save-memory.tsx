"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/**
 * "Save as memory" on one message, with a confirmation step: memories.create({ messageId })
 * copies the message's text (packages/validators/src/memories.ts), so nothing else is sent.
 */
export function SaveMemory({ messageId, isMemorized }: { messageId: string; isMemorized: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const save = useMutation(
    trpc.memories.create.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        void queryClient.invalidateQueries({ queryKey: trpc.messages.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.memories.pathKey() });
      },
    }),
  );

  if (isMemorized || save.isSuccess) {
    return (
      <p className="muted small" role="status">
        Saved as a memory ✓
      </p>
    );
  }
  if (!confirming) {
    return (
      <button type="button" className="link-button small" onClick={() => setConfirming(true)}>
        Save as memory
      </button>
    );
  }
  return (
    <div className="actions small" role="group" aria-label="Confirm saving as memory">
      <span>Save this message as a memory?</span>
      <button type="button" className="button button--small" disabled={save.isPending} onClick={() => save.mutate({ messageId })}>
        {save.isPending ? "Saving…" : "Yes, save memory"}
      </button>
      <button type="button" className="link-button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <ErrorMessage error={save.error} />
    </div>
  );
}
