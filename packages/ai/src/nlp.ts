/**
 * Shared helpers over compromise (docs/memory.md, "Offline extraction and persona"): clause
 * splitting, term tags and the folding of phrases into fact keys.
 */
import nlp from "compromise";

export type Doc = ReturnType<typeof nlp>;

export interface Term {
  text: string;
  /** Lower-case, without punctuation; contractions expanded ("I'm" → "i" + "am"). */
  normal: string;
  tags: ReadonlySet<string>;
  /** Punctuation written after the term (",", "!"). */
  post: string;
  /** Not written but implied: the "am" of "I'm". */
  implicit?: boolean;
}

interface JsonTerm {
  text: string;
  normal: string;
  implicit?: string;
  tags: string[];
  post: string;
}

export function termsOf(doc: Doc): Term[] {
  const sentences = doc.json({ terms: { normal: true } }) as { terms: JsonTerm[] }[];
  return sentences.flatMap((s) =>
    s.terms.map((t) => ({
      text: t.text === "" && t.implicit ? t.implicit : t.text,
      normal: (t.implicit ?? t.normal).toLowerCase(),
      tags: new Set(t.tags),
      post: t.post.trim(),
      ...(t.text === "" && t.implicit ? { implicit: true } : {}),
    })),
  );
}

export const parse = (text: string): Doc => nlp(text);

// Clause boundaries compromise's own .clauses() leaves joined ("I like jazz and I hate mornings").
const CLAUSE_SPLIT = /[;:!?.]+\s+|,\s+|\s+(?:and|but|so|because|though|although)\s+(?=(?:i|i'm|i've|we|we're|my|our|on|next|tomorrow)\b)/iu;

/** The message cut into clauses, each small enough to match one fact pattern. */
export function clausesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/u)
    .flatMap((sentence) => {
      const question = /\?\s*$/u.test(sentence);
      return sentence.split(CLAUSE_SPLIT).map((clause) => (question ? `${clause.trim()}?` : clause.trim()));
    })
    .filter((c) => c.replace(/\?$/u, "").length > 0);
}

/** Lower-case, ASCII-folded, single-spaced, at most `max` characters: the tail of a fact key. */
export function foldKey(text: string, max = 60): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9' -]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim()
    .slice(0, max)
    .trim();
}

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export const article = (phrase: string) => (/^[aeiou]/iu.test(phrase) ? `an ${phrase}` : `a ${phrase}`);
