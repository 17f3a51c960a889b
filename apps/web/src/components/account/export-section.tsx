"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { mediaUrl } from "@/lib/api-url";
import { useTRPC } from "@/lib/trpc";

/**
 * Export my data (auth.exportData): a job builds the archive, so the status is polled every
 * two seconds while it is pending; once ready, a download link (relative to the API origin).
 */
export function ExportSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({
    ...trpc.auth.exportStatus.queryOptions(),
    refetchInterval: (query) => (query.state.data?.status === "pending" ? 2000 : false),
  });
  const request = useMutation(
    trpc.auth.exportData.mutationOptions({ onSuccess: (row) => queryClient.setQueryData(trpc.auth.exportStatus.queryKey(), row) }),
  );
  const current = status.data;
  const href = mediaUrl(current?.url);

  return (
    <section className="card stack-sm" aria-labelledby="export">
      <h2 id="export">Export my data</h2>
      <p className="muted">A JSON archive of your profile, messages, memories, stories and more.</p>
      <ErrorMessage error={status.error} />
      <div role="status" aria-live="polite">
        {current?.status === "pending" ? <p>Preparing your export…</p> : null}
        {current?.status === "failed" ? <p className="error">The last export failed; ask for a new one.</p> : null}
        {current?.status === "ready" && href ? (
          <p>
            Your export is ready:{" "}
            <a href={href} download>
              Download my data
            </a>
            {current.bytes !== null ? ` (${Math.ceil(current.bytes / 1024)} KB)` : ""}
            {current.expiresAt ? `, kept until ${new Date(current.expiresAt).toLocaleDateString()}` : ""}.
          </p>
        ) : null}
      </div>
      <button
        type="button"
        className="button button--secondary"
        disabled={request.isPending || current?.status === "pending"}
        onClick={() => request.mutate()}
      >
        Request a data export
      </button>
      <ErrorMessage error={request.error} />
    </section>
  );
}
