"use client";
import type { ReplyStream } from "./use-reply-stream";

/**
 * The reply as it streams in, in a polite live region that exists before any text arrives (so
 * screen readers announce what is added). `data-state` and `data-tokens` say how far it got.
 * Once the history shows the saved reply (`replyShown`), the region empties again.
 */
export function ReplyRegion({ stream, companionName, replyShown }: { stream: ReplyStream; companionName: string; replyShown: boolean }) {
  const tokens = "tokens" in stream ? stream.tokens : 0;
  let body = null;
  if (stream.state === "starting") body = <p className="muted">Sending…</p>;
  else if (stream.state === "error") body = null;
  else if (stream.state !== "idle" && !(stream.state === "done" && replyShown)) {
    body = (
      <article className="message message--assistant message--live">
        <p className="message__author">{companionName}</p>
        <p className="prewrap">{stream.text || "…"}</p>
        {stream.state === "streaming" ? <p className="muted small">Writing…</p> : null}
        {stream.state === "stopped" ? <p className="muted small">Stopped: the reply was cut short.</p> : null}
        {stream.state === "done" && stream.degraded ? (
          <p className="muted small">Today&apos;s AI quota is spent, so {companionName} answered offline.</p>
        ) : null}
      </article>
    );
  }
  return (
    <div className="reply-region" aria-live="polite" aria-label="Reply" data-state={stream.state} data-tokens={tokens}>
      {body}
      {stream.state === "error" ? (
        <p role="alert" className="error">
          {stream.message}
        </p>
      ) : null}
    </div>
  );
}
