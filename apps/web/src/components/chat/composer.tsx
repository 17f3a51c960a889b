"use client";
import { useId, useState, type FormEvent, type KeyboardEvent } from "react";

/**
 * The message box: Enter sends, Shift+Enter starts a new line. While a reply streams, the send
 * button becomes "Stop reply" (the reply is kept as far as it got).
 */
export function Composer({ streaming, busy, onSend, onStop }: { streaming: boolean; busy: boolean; onSend: (text: string) => Promise<boolean>; onStop: () => void }) {
  const id = useId();
  const [text, setText] = useState("");

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || busy || streaming) return;
    // Kept when the send fails, so the person can fix and retry it.
    if (await onSend(content)) setText("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) void submit(event);
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea id={id} rows={2} maxLength={4000} value={text} placeholder="Write a message…" onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      {streaming ? (
        <button type="button" className="button button--secondary" onClick={onStop}>
          Stop reply
        </button>
      ) : (
        <button type="submit" className="button" disabled={busy || text.trim() === ""}>
          {busy ? "Sending…" : "Send"}
        </button>
      )}
    </form>
  );
}
