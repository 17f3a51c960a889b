/**
 * The streaming hold-back of a companion's reply (docs/safety.md). Words are released as they
 * arrive until one of the trigger words (patterns.ts REPLY_TRIGGER_STEMS: every harmful pattern
 * contains one) appears; from that word on, the reply is held until its sentence is complete,
 * the whole reply so far is checked with the offline classifier, and only then released. So no
 * harmful phrase is shown before the check has seen it whole, and a reply without trigger words
 * streams undelayed (the time to first token stays). A reply the check stops is never continued;
 * the caller replaces it (what was shown before the trigger is discarded with it).
 */
import { normalizeForSafety } from "./classifier.ts";
import { REPLY_TRIGGER_STEMS, REPLY_TRIGGER_WORDS } from "./patterns.ts";
import type { SafetyCategory } from "./policy.ts";

/** A sentence ends at . ! ? … or a line break followed by white space (the next token may continue "3.5"). */
const SENTENCE_END = /[.!?…\n]["')\]”’»]*\s+/g;
/** A held sentence longer than this is checked and released at its last space: a reply never stalls behind one long sentence. */
const MAX_HOLD_CHARS = 280;

type GuardStep = { release: string } | { blocked: SafetyCategory };

export interface SentenceGuard {
  /** The next piece of the reply: what may be shown now, or `blocked` (show nothing more; replace the reply). */
  push(text: string): GuardStep;
  /** The end of the reply: the rest, checked. */
  end(): GuardStep;
  /** The reply restarts (a fallback discarded it). */
  reset(): void;
}

const isTrigger = (word: string) => REPLY_TRIGGER_WORDS.includes(word) || REPLY_TRIGGER_STEMS.some((stem) => word.startsWith(stem));
/** A word still being written ("ki" of "kill") may become a trigger: hold it. */
const mayBecomeTrigger = (partial: string) =>
  isTrigger(partial) || REPLY_TRIGGER_STEMS.some((stem) => stem.startsWith(partial)) || REPLY_TRIGGER_WORDS.some((word) => word.startsWith(partial));

/** Where the first trigger word of `text` starts, or -1. `partialEnd`: its last word is still being written. */
function firstTrigger(text: string, partialEnd: boolean): number {
  const words = [...text.matchAll(/[\p{L}\p{N}'’@$]+/gu)];
  for (const [i, match] of words.entries()) {
    const word = normalizeForSafety(match[0]).replace(/[^\p{L}\p{N}]/gu, "");
    if (word === "") continue;
    const last = i === words.length - 1 && partialEnd && match.index + match[0].length === text.length;
    if (last ? mayBecomeTrigger(word) : isTrigger(word)) return match.index;
  }
  return -1;
}

/**
 * `check(text)`: the category that blocks `text` (the whole reply so far, so that a harmful
 * phrase spread over two sentences is seen), or null. It runs when held text is released.
 */
export function createSentenceGuard(check: (text: string) => SafetyCategory | null): SentenceGuard {
  let released = "";
  let held = "";
  let blocked: SafetyCategory | null = null;

  /** Releases `held` up to `cut`, checked first when it contains a trigger. */
  const releaseUpTo = (cut: number, checked: boolean): GuardStep => {
    if (cut <= 0) return { release: "" };
    const candidate = held.slice(0, cut);
    const found = checked ? check(released + candidate) : null;
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
      let sentences = 0;
      for (const match of held.matchAll(SENTENCE_END)) sentences = match.index + match[0].length;
      // The complete sentences: checked if they hold a trigger, released either way unless stopped.
      const whole = firstTrigger(held.slice(0, sentences), false) >= 0;
      const first = releaseUpTo(sentences, whole);
      if ("blocked" in first) return first;
      // The sentence being written: its words up to the first trigger (or a word that may become one).
      const trigger = firstTrigger(held, true);
      if (trigger < 0) {
        const rest = releaseUpTo(held.length, false);
        return "blocked" in rest ? rest : { release: first.release + rest.release };
      }
      if (trigger === 0 && held.length > MAX_HOLD_CHARS) {
        const rest = releaseUpTo(held.lastIndexOf(" ") + 1, true);
        return "blocked" in rest ? rest : { release: first.release + rest.release };
      }
      const rest = releaseUpTo(trigger, false);
      return "blocked" in rest ? rest : { release: first.release + rest.release };
    },
    end() {
      if (blocked) return { blocked };
      return releaseUpTo(held.length, true);
    },
    reset() {
      released = "";
      held = "";
      blocked = null;
    },
  };
}
