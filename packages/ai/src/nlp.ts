/**
 * Shared helpers over compromise (docs/memory.md, "Offline extraction and persona"): clause
 * splitting, term tags and the folding of phrases into fact keys.
 *
 * compromise builds its lexicon when it loads (8 MiB of heap), so it is loaded on first use,
 * not at startup (docs/scaling.md#memory): the async entry points (the offline persona's
 * replies, extractFacts, summarizeExtractive) await `loadNlp()` before any `parse`, and the
 * chat chain starts it as an exchange starts (the persona's `prepare`).
 */
import type Nlp from "compromise";

export type Doc = ReturnType<typeof Nlp>;

let nlp: typeof Nlp | undefined;

/** Loads compromise once; every later call resolves at once. */
export async function loadNlp(): Promise<void> {
  nlp ??= (await import("compromise")).default;
}

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

export function parse(text: string): Doc {
  if (nlp === undefined) throw new Error("compromise is not loaded: await loadNlp() first");
  return nlp(text);
}

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

const DETERMINERS = new Set("a an the this that these those some any".split(" "));
const POSSESSIVES: Readonly<Record<string, string>> = { my: "their", our: "their", mine: "theirs" };
const STOP_IN_PHRASE = new Set("now again too also though anyway lately recently".split(" "));

export const has = (t: Term | undefined, tag: string) => t?.tags.has(tag) ?? false;

export interface Phrase {
  /** As written, possessives turned to the third person ("their old bike"). */
  text: string;
  /** Without determiners and possessives, for keys ("old bike"). */
  bare: string;
  end: number;
  head: Term;
}

/**
 * The noun phrase starting at `i`: optional determiner or possessive, then adjectives and
 * nouns (a gerund may stand alone: "hiking"). Undefined when its head is not a noun.
 */
export function readPhrase(terms: readonly Term[], start: number, options: { allowGerund?: boolean } = {}): Phrase | undefined {
  let i = start;
  const lead: string[] = [];
  const first = terms[i];
  if (first !== undefined && (DETERMINERS.has(first.normal) || POSSESSIVES[first.normal] !== undefined)) {
    lead.push(POSSESSIVES[first.normal] ?? first.normal);
    i++;
  }
  const words: Term[] = [];
  while (i < terms.length) {
    const t = terms[i];
    if (t === undefined || has(t, "Pronoun") || STOP_IN_PHRASE.has(t.normal) || has(t, "Preposition") || has(t, "Conjunction")) break;
    const gerund = options.allowGerund === true && words.length === 0 && has(t, "Gerund");
    const fits = gerund || has(t, "Noun") || has(t, "Adjective") || has(t, "Value");
    if (!fits || has(t, "Date")) break;
    words.push(t);
    i++;
    if (t.post !== "" && t.post !== "'") break;
  }
  // Trailing adjectives are not part of the thing ("coffee, strong" / "music loud").
  while (words.length > 0 && !has(words.at(-1), "Noun") && !has(words.at(-1), "Gerund")) words.pop();
  const head = words.at(-1);
  if (head === undefined || has(head, "Date") || has(head, "Pronoun")) return undefined;
  const text = words.map((w) => (has(w, "ProperNoun") ? w.text : w.text.toLowerCase())).join(" ");
  return { text: [...lead, text].join(" "), bare: text, end: start + lead.length + words.length, head };
}

/** Index of the first `i` whose next words are `words` ("a|an" alternates), else -1. */
export function find(terms: readonly Term[], words: readonly string[], from = 0): number {
  outer: for (let i = from; i <= terms.length - words.length; i++) {
    for (let j = 0; j < words.length; j++) {
      const options = (words[j] ?? "").split("|");
      if (!options.includes(terms[i + j]?.normal ?? "")) continue outer;
    }
    return i;
  }
  return -1;
}

/** Skips adverbs ("I really love"): index of the next non-adverb term. */
export function skipAdverbs(terms: readonly Term[], i: number): number {
  while (i < terms.length && has(terms[i], "Adverb") && !has(terms[i], "Negative")) i++;
  return i;
}

/** "moving" → "move", "loves" → "love"; compromise conjugates best with a subject in front. */
export function infinitiveOf(verb: Term): string {
  type VerbJson = { verb?: { infinitive?: string } };
  const subject = has(verb, "Gerund") ? "I am" : "they";
  const verbs = parse(`${subject} ${verb.text}`).verbs().json() as VerbJson[];
  return (verbs.at(-1)?.verb?.infinitive ?? verb.normal).toLowerCase();
}
