"use client";
import type { RouterOutputs } from "@companion/client";
import { useId, useState } from "react";
import { Alternatives } from "./alternatives";
import { SaveMemory } from "./save-memory";

type HistoryItem = RouterOutputs["messages"]["list"]["items"][number];

interface Controls {
  /** Chat controls are for my last exchange only (docs/chat-controls.md); null elsewhere. */
  onRegenerate?: () => void;
  onEdit?: (content: string) => Promise<boolean>;
  onDelete?: () => void;
  /** A reply is streaming: no control may run now (they would be CONFLICT). */
  locked: boolean;
}

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });

/** One message of the history, with "Save as memory" and, on my last exchange, the chat controls. */
export function MessageItem({ item, companionName, controls }: { item: HistoryItem; companionName: string; controls: Controls }) {
  const mine = item.role === "user";
  const editId = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(item.content);
  const [showVersions, setShowVersions] = useState(false);
  const author = mine ? "You" : companionName;

  return (
    <article className={`message message--${item.role}`} aria-label={`${author}, ${time(item.createdAt)}`}>
      <p className="message__author">
        {author} <time dateTime={item.createdAt}>{time(item.createdAt)}</time>
      </p>
      {item.story ? <p className="muted small">Reply to a story{item.story.caption ? `: “${item.story.caption}”` : ""}</p> : null}
      {editing && controls.onEdit ? (
        <form
          className="stack-sm"
          onSubmit={(e) => {
            e.preventDefault();
            void controls.onEdit?.(draft.trim()).then((ok) => ok && setEditing(false));
          }}
        >
          <label htmlFor={editId}>Edit my message</label>
          <textarea id={editId} rows={3} maxLength={4000} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <div className="actions">
            <button type="submit" className="button button--small" disabled={controls.locked || draft.trim() === ""}>
              Save and get a new reply
            </button>
            <button type="button" className="link-button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="prewrap message__text">{item.content || <em>(no text)</em>}</p>
      )}
      {item.status !== "complete" ? <p className="muted small">{item.status === "partial" ? "Cut short" : "Failed"}</p> : null}
      {item.alternatives ? (
        <p className="muted small">
          Version {item.alternatives.position + 1} of {item.alternatives.count}
        </p>
      ) : null}
      <div className="actions message__actions">
        {item.content ? <SaveMemory messageId={item.id} isMemorized={item.isMemorized} /> : null}
        {controls.onRegenerate ? (
          <button type="button" className="link-button small" disabled={controls.locked} onClick={controls.onRegenerate}>
            Regenerate reply
          </button>
        ) : null}
        {controls.onRegenerate && item.alternatives && item.alternatives.count > 1 ? (
          <button type="button" className="link-button small" aria-expanded={showVersions} onClick={() => setShowVersions((v) => !v)}>
            {showVersions ? "Hide other versions" : `See all ${item.alternatives.count} versions`}
          </button>
        ) : null}
        {controls.onEdit && !editing ? (
          <button type="button" className="link-button small" disabled={controls.locked} onClick={() => { setDraft(item.content); setEditing(true); }}>
            Edit my message
          </button>
        ) : null}
        {controls.onDelete ? (
          <button type="button" className="link-button link-button--danger small" disabled={controls.locked} onClick={controls.onDelete}>
            Delete this exchange
          </button>
        ) : null}
      </div>
      {showVersions && controls.onRegenerate ? <Alternatives messageId={item.id} /> : null}
    </article>
  );
}
