"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { isKnownKind, KIND_LABELS } from "./notification-kinds";

/** One checkbox per kind: unticked mutes it (neither stored nor delivered from then on). */
export function NotificationPreferences() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const preferences = useQuery(trpc.notifications.preferences.queryOptions());
  const update = useMutation(
    trpc.notifications.updatePreferences.mutationOptions({
      onSuccess: (data) => queryClient.setQueryData(trpc.notifications.preferences.queryKey(), data),
    }),
  );

  return (
    <fieldset className="card stack-sm">
      <legend>Notify me about</legend>
      {preferences.isPending ? <p role="status">Loading preferences…</p> : null}
      <ErrorMessage error={preferences.error ?? update.error} />
      {preferences.data?.kinds
        .filter((k) => isKnownKind(k.kind))
        .map((k) => (
          <label key={k.kind} className="checkbox">
            <input
              type="checkbox"
              checked={!k.muted}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ muted: { [k.kind]: !e.target.checked } })}
            />
            {KIND_LABELS[k.kind]}
          </label>
        ))}
    </fieldset>
  );
}
