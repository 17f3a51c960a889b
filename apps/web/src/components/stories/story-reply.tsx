"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** A reply to a story: to a companion it lands in our chat, to a person as a notification (docs/stories.md#replying-to-a-story). */
export function StoryReply({ storyId, authorName }: { storyId: string; authorName: string }) {
  const trpc = useTRPC();
  const [content, setContent] = useState("");
  const reply = useMutation(trpc.stories.reply.mutationOptions());

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // A fresh key per reply; a retry of the same request would reuse it.
    reply.mutate({ storyId, content, idempotencyKey: crypto.randomUUID() }, { onSuccess: () => setContent("") });
  };

  return (
    <form className="story-reply" onSubmit={onSubmit}>
      <label htmlFor={`reply-${storyId}`}>Reply to {authorName}</label>
      <div className="story-reply__row">
        <input id={`reply-${storyId}`} value={content} onChange={(e) => setContent(e.target.value)} maxLength={4000} required />
        <button type="submit" className="button" disabled={reply.isPending || content.trim() === ""}>
          Send reply
        </button>
      </div>
      <p role="status" className="muted">
        {reply.data?.kind === "chat" ? `Sent to your chat with ${authorName}.` : reply.data?.kind === "notified" ? `${authorName} was told.` : ""}
      </p>
      <ErrorMessage error={reply.error} />
    </form>
  );
}
