/**
 * The streaming hold-back of a companion's reply (docs/safety.md): tokens are held until a
 * sentence is complete, the reply so far is checked with the offline classifier, and only then
 * is the sentence released. A sentence the check stops is never released; the caller replaces
 * the whole reply.
 */
import type { SafetyCategory } from "./policy.ts";

/** A sentence ends at . ! ? … or a line break followed by white space (the next token may continue "3.5"). */
const SENTENCE_END = /[.!?…\n]["')\]”’»]*\s+/g;
/** A sentence longer than this is released at its last space (after the check): a reply never stalls behind one long sentence. */
const MAX_HOLD_CHARS = 280;

export type GuardStep = { release: string } | { blocked: SafetyCategory };

export interface SentenceGuard {
  /** The next piece of the reply: what may be shown now, or `blocked` (show nothing more; replace the reply). */
  push(text: string): GuardStep;
  /** The end of the reply: the rest, checked. */
  end(): GuardStep;
  /** The reply restarts (a fallback discarded it). */
  reset(): void;
}

/**
 * `check(text)`: the category that blocks `text` (the whole reply so far, so that a harmful
 * phrase spread over two sentences is seen), or null. It runs once per released sentence.
 */
export function createSentenceGuard(check: (text: string) => SafetyCategory | null): SentenceGuard {
  let released = "";
  let held = "";
  let blocked: SafetyCategory | null = null;

  const releaseUpTo = (cut: number): GuardStep => {
    if (cut <= 0) return { release: "" };
    const candidate = held.slice(0, cut);
    const found = check(released + candidate);
    if (found) {
      blocked = found;
      return { blocked: found };
    }
    released += candidate;
    held = held.slice(cut);
    return { release: candidate };
  };

  return {
    push(text) {
      if (blocked) return { blocked };
      held += text;
      let cut = 0;
      for (const match of held.matchAll(SENTENCE_END)) cut = match.index + match[0].length;
      if (cut === 0 && held.length > MAX_HOLD_CHARS) cut = held.lastIndexOf(" ") + 1;
      return releaseUpTo(cut);
    },
    end() {
      if (blocked) return { blocked };
      return releaseUpTo(held.length);
    },
    reset() {
      released = "";
      held = "";
      blocked = null;
    },
  };
}
