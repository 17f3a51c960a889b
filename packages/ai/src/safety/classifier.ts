/**
 * The offline safety classifier (docs/safety.md): pattern lists (patterns.ts) over a normalized
 * text. Cheap (a few dozen regular expressions over a short text, microseconds), so it runs on
 * every message and on every sentence of a streaming reply.
 */
import type { SafetyCategory } from "./policy.ts";
import { HARMFUL_REPLY_PATTERNS, SELF_HARM_IDIOMS, SELF_HARM_PATTERNS, SEXUAL_MINORS_EXCEPTIONS, SEXUAL_MINORS_PATTERNS } from "./patterns.ts";

/** Letter swaps of people dodging filters or typing fast ("k1ll mys3lf", "d!e"). */
const SWAPS: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i" };

/**
 * Lower case, accents off, apostrophes dropped ("don't" → "dont"), letter swaps undone inside
 * words, letters stretched past two folded ("diiieee" → "diee"... and "soooo" → "soo"), every
 * other non-letter a space, whitespace collapsed. Sentence ends (. ! ? ,) are kept as themselves.
 */
export function normalizeForSafety(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’‘`´]/g, "")
    .replace(/(?<=\p{L})[0134579@$!]+(?=\p{L})|(?<=\s|^)[0134579@$]+(?=\p{L})/gu, (m) => [...m].map((c) => SWAPS[c] ?? c).join(""))
    .replace(/(\p{L})\1{2,}/gu, "$1$1")
    .replace(/[^\p{L}\p{N}.!?,]+/gu, " ")
    .replace(/([.!?,])[.!?,\s]*/g, "$1 ")
    .replace(/\s+/g, " ")
    .trim();
}

/** `pattern` with its stretched letters also matching once ("diee" ↔ "die"): test both spellings. */
const spellings = (normalized: string): string[] => {
  const single = normalized.replace(/(\p{L})\1+/gu, "$1");
  return single === normalized ? [normalized] : [normalized, single];
};

const without = (text: string, idioms: readonly RegExp[]) => idioms.reduce((t, idiom) => t.replace(idiom, " "), text);

/** Whether a person's text shows risk of self-harm or suicide. */
function showsSelfHarmRisk(text: string): boolean {
  return spellings(without(normalizeForSafety(text), SELF_HARM_IDIOMS)).some((t) => SELF_HARM_PATTERNS.some((p) => p.test(t)));
}

/** Whether a text is obviously sexual content involving minors. */
function isSexualMinors(text: string): boolean {
  return spellings(without(normalizeForSafety(text), SEXUAL_MINORS_EXCEPTIONS)).some((t) => SEXUAL_MINORS_PATTERNS.some((p) => p.test(t)));
}

/** The categories the offline lists find in a person's message, most severe first. */
export function classifyMessageOffline(text: string): SafetyCategory[] {
  const found: SafetyCategory[] = [];
  if (isSexualMinors(text)) found.push("sexual_minors");
  if (showsSelfHarmRisk(text)) found.push("self_harm");
  return found;
}

/** The categories the offline lists find in a companion's reply: encouragement of harm, sexual content with minors. */
export function classifyReplyOffline(text: string): SafetyCategory[] {
  const found = new Set<SafetyCategory>();
  if (isSexualMinors(text)) found.add("sexual_minors");
  const forms = spellings(normalizeForSafety(text));
  for (const { category, pattern } of HARMFUL_REPLY_PATTERNS) if (forms.some((t) => pattern.test(t))) found.add(category);
  return [...found];
}
