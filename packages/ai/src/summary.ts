/**
 * The offline rolling summary (docs/memory.md): an extractive summary of the oldest turns of
 * a conversation, for when no model is configured.
 * INTERIM: keeps the person's longest sentences; the NLP extractor replaces the body.
 */

export interface SummaryTurn {
  role: "user" | "assistant";
  content: string;
}

/** At most `maxChars` characters; `previous` (the last summary) is kept in front, trimmed first. */
export function summarizeExtractive(turns: readonly SummaryTurn[], maxChars: number, previous = ""): string {
  const sentences = turns
    .filter((t) => t.role === "user")
    .flatMap((t) => t.content.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  let out = previous.trim();
  for (const sentence of sentences) {
    const next = out === "" ? sentence : `${out} ${sentence}`;
    if (next.length > maxChars) break;
    out = next;
  }
  return out.slice(0, maxChars);
}
