"use client";
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { useEndSession } from "./use-end-session";

const KIND_LABELS: Record<string, string> = {
  login_failed: "Failed sign-in",
  login_throttled: "Sign-in throttled",
  refresh_reuse: "A stale session token was reused",
  password_changed: "Password changed",
  password_reset_requested: "Password reset requested",
  password_reset: "Password reset",
  session_revoked: "Session ended",
  sessions_revoked: "Every session ended",
  account_deleted: "Account deleted",
  account_banned: "Account banned",
  safety_refused: "A message was refused by the safety policy",
};

/** Sign out everywhere (auth.logoutAll, then this browser's cookie), and my security log. */
export function SessionsSection() {
  const trpc = useTRPC();
  const endSession = useEndSession();
  const [confirming, setConfirming] = useState(false);
  const logoutAll = useMutation(trpc.auth.logoutAll.mutationOptions({ onSuccess: () => endSession("/sign-in") }));
  const events = useInfiniteQuery(trpc.auth.securityEvents.infiniteQueryOptions({ limit: 10 }, { getNextPageParam: (p) => p.nextCursor }));
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="card stack-sm" aria-labelledby="security">
      <h2 id="security">Sessions and security</h2>
      <button type="button" className="button button--secondary" onClick={() => setConfirming(true)}>
        Sign out everywhere
      </button>
      <ErrorMessage error={logoutAll.error} />
      <ConfirmDialog
        open={confirming}
        title="Sign out on every device?"
        confirmLabel="Sign out everywhere now"
        pending={logoutAll.isPending}
        onCancel={() => setConfirming(false)}
        onConfirm={() => logoutAll.mutate()}
      >
        <p>Every session ends, this one included: you will sign in again.</p>
      </ConfirmDialog>
      <h3>Security log</h3>
      {events.isPending ? <p role="status">Loading…</p> : null}
      <ErrorMessage error={events.error} />
      {events.isSuccess && items.length === 0 ? <p className="muted">Nothing to report.</p> : null}
      <ul className="list-reset stack-sm">
        {items.map((e) => (
          <li key={e.id}>
            <time dateTime={e.createdAt}>{new Date(e.createdAt).toLocaleString()}</time>: {KIND_LABELS[e.kind] ?? e.kind}
            {e.ip ? <span className="muted"> from {e.ip}</span> : null}
          </li>
        ))}
      </ul>
      {events.hasNextPage ? (
        <button type="button" className="link-button" onClick={() => void events.fetchNextPage()}>
          Older events
        </button>
      ) : null}
    </section>
  );
}
