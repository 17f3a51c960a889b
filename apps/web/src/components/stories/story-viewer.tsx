"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ReportButton } from "@/components/moderation/report-dialog";
import { ErrorMessage } from "@/components/query-state";
import { mediaUrl } from "@/lib/api-url";
import { useTRPC } from "@/lib/trpc";
import type { AuthorGroup } from "./author-groups";
import { StoryReply } from "./story-reply";

/** The emoji a slide takes (STORY_REACTION_EMOJI in packages/validators/src/stories.ts). */
const EMOJI = ["❤️", "😂", "😮", "😢", "🔥", "👏"] as const;

/**
 * One author's stories, a slide at a time, in a modal dialog: the right half of the picture or
 * "Next" goes on, the left half or "Previous" goes back, arrow keys too, Escape closes. Each
 * story is marked viewed when its first slide shows; a slide takes one reaction (again: removed).
 * Someone else's story can be reported (moderation.report, target "story").
 */
export function StoryViewer({ group, myUserId, onClose }: { group: AuthorGroup; myUserId: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const slides = useMemo(
    () => group.stories.flatMap((story) => story.slides.map((slide, i) => ({ story, slide, number: i + 1, of: story.slides.length }))),
    [group],
  );
  const [position, setPosition] = useState(0);
  // My reaction per slide as changed here (undefined: as the feed said).
  const [reactions, setReactions] = useState<Record<string, string | null>>({});
  const marked = useRef(new Set<string>());
  const invalidateStories = () => queryClient.invalidateQueries({ queryKey: trpc.stories.pathKey() });
  const markViewed = useMutation(trpc.stories.markViewed.mutationOptions({ onSuccess: invalidateStories }));
  const react = useMutation(trpc.stories.react.mutationOptions());
  const unreact = useMutation(trpc.stories.unreact.mutationOptions());

  const current = slides[position];
  const mine = group.author.kind === "user" && group.author.id === myUserId;

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const storyId = current?.story.id;
  const seen = current?.story.seen ?? true;
  const mark = markViewed.mutate;
  useEffect(() => {
    if (!storyId || seen || marked.current.has(storyId)) return;
    marked.current.add(storyId);
    mark({ storyId });
  }, [storyId, seen, mark]);

  if (!current) return null;
  const next = () => (position + 1 < slides.length ? setPosition(position + 1) : dialog.current?.close());
  const previous = () => setPosition(Math.max(0, position - 1));
  const myReaction = current.slide.id in reactions ? reactions[current.slide.id] : current.slide.myReaction;
  const label = `slide ${current.number}`;

  const toggle = (emoji: (typeof EMOJI)[number]) => {
    const mediaId = current.slide.id;
    if (myReaction === emoji) {
      unreact.mutate({ mediaId }, { onSuccess: () => setReactions((r) => ({ ...r, [mediaId]: null })) });
    } else {
      react.mutate({ mediaId, emoji }, { onSuccess: () => setReactions((r) => ({ ...r, [mediaId]: emoji })) });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    // Arrow keys move the caret while typing a reply.
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    if (event.key === "ArrowRight") next();
    if (event.key === "ArrowLeft") previous();
  };

  const src = mediaUrl(current.slide.url) ?? "";
  return (
    // Escape closes a modal <dialog> by itself; "close" then tells the page. React passes a nested
    // dialog's "close" (the report dialog's) up to this handler too, so only our own counts.
    <dialog
      ref={dialog}
      className="story-viewer"
      aria-labelledby="story-viewer-title"
      onClose={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      onKeyDown={onKeyDown}
    >
      <header className="story-viewer__header">
        <h2 id="story-viewer-title">{group.author.name}</h2>
        <p className="muted" aria-live="polite">
          Story {group.stories.indexOf(current.story) + 1} of {group.stories.length}, slide {current.number} of {current.of}
        </p>
        <button type="button" className="button button--secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <div className="story-viewer__stage">
        {current.slide.kind === "video" ? (
          <video key={current.slide.id} src={src} autoPlay muted playsInline controls className="story-viewer__media" />
        ) : (
          <img key={current.slide.id} src={src} alt={current.story.caption ?? `${group.author.name}, ${label}`} className="story-viewer__media" />
        )}
        {/* Tap zones for the pointer; the labelled buttons below do the same for keyboards and screen readers. */}
        <button type="button" className="story-viewer__zone story-viewer__zone--left" tabIndex={-1} aria-hidden="true" onClick={previous} />
        <button type="button" className="story-viewer__zone story-viewer__zone--right" tabIndex={-1} aria-hidden="true" onClick={next} />
      </div>
      {current.story.caption ? <p className="story-viewer__caption">{current.story.caption}</p> : null}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={previous} disabled={position === 0}>
          Previous
        </button>
        <button type="button" className="button" onClick={next}>
          {position + 1 < slides.length ? "Next" : "Done"}
        </button>
      </div>
      {mine ? null : (
        <>
          <ul className="reactions" aria-label={`Reactions to ${label}`}>
            {EMOJI.map((emoji) => (
              <li key={emoji}>
                <button
                  type="button"
                  className="reaction"
                  aria-pressed={myReaction === emoji}
                  disabled={react.isPending || unreact.isPending}
                  onClick={() => toggle(emoji)}
                  aria-label={myReaction === emoji ? `Remove ${emoji} from ${label}` : `React ${emoji} to ${label}`}
                >
                  {emoji}
                </button>
              </li>
            ))}
          </ul>
          <ErrorMessage error={react.error ?? unreact.error} />
          <StoryReply key={current.story.id} storyId={current.story.id} authorName={group.author.name} />
          <ReportButton key={`report-${current.story.id}`} target={{ kind: "story", id: current.story.id }} label="Report this story" className="button button--secondary story-viewer__report" />
        </>
      )}
    </dialog>
  );
}
