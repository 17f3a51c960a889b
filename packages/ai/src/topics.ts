/**
 * What a message is about, for the offline persona and the proactive job: named people and
 * noun phrases found by compromise, never a verb or an adjective (docs/memory.md,
 * "Offline extraction and persona").
 */
import { type Doc, has, parse, type Term, termsOf } from "./nlp.ts";

export interface Topic {
  /** Ready to put in a reply, seen from the companion: "your sourdough starter", "Ana", "the job interview". */
  text: string;
  /** The phrase as the message wrote it, without determiners or possessives ("sourdough starter"). */
  source: string;
  /** Lower-case head word, to match the topic against memories. */
  head: string;
  person: boolean;
}

// Nouns too vague to echo: "tell me about something" has no topic.
const VAGUE = new Set(
  ("thing things stuff something anything everything nothing someone somebody anyone anybody everyone everybody " +
    "lot lots bit kind sort way time times day days moment question idea one ones")
    .split(" "),
);
// compromise tags these nouns without #Date; as topics they read badly ("tell me about tonight").
const TIME_WORDS = new Set("today tonight tomorrow yesterday now later morning evening night afternoon week weekend".split(" "));
// Seen from the companion: the person's "my" is "your", and the companion's "your" is "my".
const PERSPECTIVE: Readonly<Record<string, string>> = { my: "your", our: "your", your: "my", his: "his", her: "her", their: "their" };
const KEEP_DETERMINER = new Set(["this", "these"]);
const THE_DETERMINER = new Set(["a", "an", "the", "that", "those", "some", "any"]);
const MAX_TEXT = 500;

const capitalized = (t: Term) => /^\p{Lu}/u.test(t.text);
const clean = (text: string) => text.replace(/[^\p{L}\p{N}'’ -]+/gu, "");
const unpossessive = (text: string) => text.replace(/['’]s$/u, "");

/** A lone word compromise calls a noun after "that"/"this"/"it" is often a verb ("that helps"). */
const verbLike = (word: string) => parse(word).has("#Verb") && !parse(word).has("#Noun");

function fromPhrase(terms: readonly Term[], previous: Term | undefined): Topic | undefined {
  let i = 0;
  let lead: string | undefined;
  const first = terms[0];
  if (first !== undefined && has(first, "Possessive") && PERSPECTIVE[first.normal] !== undefined) {
    lead = PERSPECTIVE[first.normal];
    i = 1;
  } else if (first !== undefined && has(first, "Determiner")) {
    lead = KEEP_DETERMINER.has(first.normal) ? first.normal : THE_DETERMINER.has(first.normal) ? "the" : undefined;
    i = 1;
  }
  const words = terms.slice(i).filter((t) => !has(t, "Pronoun") && t.implicit !== true);
  // A predicate adjective is no phrase: "the neighbours are so loud tonight".
  if (has(words[0], "Adjective") && lead === undefined && (has(previous, "Copula") || has(previous, "Adverb"))) return undefined;
  // Stop at anything but adjectives and nouns ("me something nice" → nothing; "coffee now" → "coffee").
  const end = words.findIndex((t) => !(has(t, "Noun") || has(t, "Adjective") || has(t, "Value")) || has(t, "Date") || TIME_WORDS.has(t.normal));
  const kept = end === -1 ? words : words.slice(0, end);
  while (kept.length > 0 && !has(kept.at(-1), "Noun")) kept.pop();
  const head = kept.at(-1);
  if (head === undefined || has(head, "Pronoun") || has(head, "Date") || VAGUE.has(head.normal)) return undefined;
  if (kept.length === 1 && lead === undefined && previous !== undefined && /^(that|this|it)$/u.test(previous.normal) && verbLike(head.normal)) return undefined;
  if (kept.length === 1 && first !== undefined && /^(that|this)$/u.test(first.normal) && verbLike(head.normal)) return undefined;

  const proper = kept.every((t) => has(t, "ProperNoun") && capitalized(t));
  const source = kept.map((t) => (capitalized(t) && has(t, "ProperNoun") ? clean(t.text) : clean(t.text).toLowerCase())).join(" ");
  if (source.trim() === "" || kept.some((t) => t.text.length > 24)) return undefined;
  const person = has(head, "Person") && capitalized(head);
  // A named person stands alone: "my sister Ana" → "Ana".
  if (person) return { text: unpossessive(clean(head.text)), source: unpossessive(clean(head.text)), head: unpossessive(head.normal), person };
  const keepThe = proper && first !== undefined && first.normal === "the";
  const prefix = lead === undefined || (proper && !keepThe) ? "" : `${lead} `;
  return { text: `${prefix}${source}`, source, head: clean(head.normal).toLowerCase(), person };
}

const inPhrase = (t: Term) =>
  (has(t, "Noun") || has(t, "Adjective") || has(t, "Value") || has(t, "Determiner") || has(t, "Possessive")) && !has(t, "Pronoun") && !has(t, "Date");

/**
 * Noun-phrase chunks over compromise's tags: runs of determiners, possessives, adjectives
 * and nouns (doc.nouns() gives about the same chunks at several times the cost).
 */
function chunks(terms: readonly Term[]): { terms: Term[]; previous: Term | undefined }[] {
  const out: { terms: Term[]; previous: Term | undefined }[] = [];
  let current: Term[] = [];
  let previous: Term | undefined;
  const close = () => {
    if (current.length > 0) out.push({ terms: current, previous });
    current = [];
  };
  terms.forEach((t, i) => {
    // A determiner or possessive opens a new phrase ("my job" after "quitting").
    const opens = (has(t, "Determiner") || (has(t, "Possessive") && PERSPECTIVE[t.normal] !== undefined)) && current.length > 0;
    if (!inPhrase(t) || opens) close();
    if (inPhrase(t)) {
      if (current.length === 0) previous = terms[i - 1];
      current.push(t);
    }
    if (t.post !== "" && t.post !== "'") close();
  });
  close();
  return out;
}

/** Topics of a parsed text, best first: named people, then longer phrases, then earlier ones. */
export function topicsOf(doc: Doc): Topic[] {
  const found: { topic: Topic; score: number }[] = [];
  chunks(termsOf(doc)).forEach((chunk, index) => {
    const topic = fromPhrase(chunk.terms, chunk.previous);
    if (topic === undefined || found.some((f) => f.topic.head === topic.head)) return;
    const words = topic.source.split(" ").length;
    found.push({ topic, score: (topic.person ? 4 : 0) + Math.min(words, 3) - index * 0.01 });
  });
  return found.sort((a, b) => b.score - a.score).map((f) => f.topic);
}

/**
 * Noun phrases and named people of `text`, best first, as a companion would say them back
 * ("your sourdough starter", "Ana"). Empty when nothing in it is worth naming ("ok, thanks").
 */
export function offlineTopics(text: string): string[] {
  return topicsOf(parse(text.slice(0, MAX_TEXT))).map((t) => t.text);
}

/** The topics of a message to the offline persona (at most 500 characters are read). */
export const messageTopics = (text: string): Topic[] => topicsOf(parse(text.slice(0, MAX_TEXT)));
