"use client";
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

function Meter({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  return (
    <div className="field">
      <span>{label}</span>
      {limit === null ? (
        <span className="muted">{used} (no limit)</span>
      ) : (
        <>
          <meter min={0} max={limit} value={Math.min(used, limit)} aria-label={label}>
            {used} of {limit}
          </meter>
          <span className="muted">
            {used} of {limit}
          </span>
        </>
      )}
    </div>
  );
}

/** What I used today of my daily limits (docs/quotas.md), and when they reset. */
export function UsageMeters() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.insights.usage.queryOptions());
  return (
    <section aria-labelledby="usage" className="stack-sm">
      <h2 id="usage">Today&apos;s usage</h2>
      {usage.isPending ? <p role="status">Loading usage…</p> : null}
      <ErrorMessage error={usage.error} />
      {usage.data ? (
        <>
          <Meter label="Messages" used={usage.data.messages.used} limit={usage.data.messages.limit} />
          <Meter label="Model tokens" used={usage.data.tokens.used} limit={usage.data.tokens.limit} />
          <p className="muted">
            Resets <time dateTime={usage.data.resetsAt}>{new Date(usage.data.resetsAt).toLocaleString()}</time> ({usage.data.timeZone}).
            {usage.data.spent ? " Today's allowance is spent: replies come from the offline persona until then." : ""}
          </p>
        </>
      ) : null}
    </section>
  );
}
