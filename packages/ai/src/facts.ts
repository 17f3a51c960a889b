/**
 * The offline memory extractor (docs/memory.md, "Offline extraction and persona"): what a
 * message says about the person, as facts keyed so that the same fact said twice (or
 * contradicted) lands on one memory. compromise tags the words; the patterns below read them.
 */
import { article, capitalize, clausesOf, find, foldKey, has, infinitiveOf, loadNlp, parse, readPhrase, skipAdverbs, type Term, termsOf } from "./nlp.ts";

type FactCategory = "name" | "job" | "home" | "person" | "pet" | "like" | "dislike" | "plan" | "feeling" | "other";

export interface ExtractedFact {
  /** Normalized identity of the fact ("name", "job", "pet:rex", "likes:coffee"); the memory's fact_key. */
  key: string;
  category: FactCategory;
  /** A short sentence about the person, in the third person ("Works as a nurse."). */
  content: string;
  /** 1–10. */
  importance: number;
}

// Small closed classes compromise has no tag for (it tags some relations #Actor, no animals).
const PETS = new Set(
  "dog dogs puppy cat kitten hamster rabbit bunny parrot bird budgie fish goldfish horse pony turtle tortoise snake lizard gecko ferret rat mouse guinea pig chinchilla hedgehog".split(" "),
);
const RELATIONS = new Set(
  ("sister brother mom mum mother dad father son daughter wife husband partner boyfriend girlfriend fiance fiancee friend " +
    "bestie cousin aunt uncle niece nephew grandma grandmother grandpa grandfather granny roommate flatmate housemate " +
    "colleague coworker boss neighbor neighbour therapist teacher coach stepmom stepdad stepsister stepbrother twin ex")
    .split(" "),
);
// Occupations compromise does not tag #Actor in "I'm a nurse"; the suffix rule catches most others.
const OCCUPATIONS = new Set("nurse chef cook barista student doctor lawyer pilot dentist nanny midwife vet plumber electrician cashier clerk waitress".split(" "));
const NOT_OCCUPATIONS = new Set(
  ("lover fan mess loser winner beginner member mother father sister brother daughter son partner wife husband boyfriend " +
    "girlfriend friend cousin aunt uncle grandma grandpa neighbor neighbour roommate twin")
    .split(" "),
);

const QUESTION_START = new Set("do does did what who whom where why how are is was would could can will should shall have has may".split(" "));
const HYPOTHETICAL = new Set("if would could might wish were suppose imagine".split(" "));
const RECURRENCE = new Set("always often usually constantly sometimes lately recently every keep frequently".split(" "));
const FUTURE_WORDS = new Set("tomorrow tonight next weekend soon upcoming".split(" "));
const isName = (t: Term | undefined): t is Term =>
  t !== undefined && /^\p{L}[\p{L}'-]*$/u.test(t.text) && !has(t, "Pronoun") && !has(t, "Date") && !has(t, "Verb") && !has(t, "Adjective");
// After "my name is", a month's name is a name (June, April, "Jun"); a weekday or "tomorrow" is not.
const isMonthName = (t: Term) => /^\p{L}[\p{L}'-]*$/u.test(t.text) && has(t, "Month") && !has(t, "Verb");
const isGivenName = (t: Term | undefined): t is Term => t !== undefined && (isMonthName(t) || isName(t));
const properName = (t: Term | undefined): t is Term => isName(t) && /^\p{Lu}/u.test(t.text) && (has(t, "ProperNoun") || has(t, "Person") || has(t, "Noun"));
const titleCase = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

const isOccupation = (head: Term) =>
  !NOT_OCCUPATIONS.has(head.normal) &&
  (OCCUPATIONS.has(head.normal) || has(head, "Actor") || /(?:er|or|ist|ian|eer|ant|ent|ista)$/u.test(head.normal));

function datePhrase(terms: readonly Term[]): string | undefined {
  const start = terms.findIndex((t) => has(t, "Date") || FUTURE_WORDS.has(t.normal));
  if (start === -1) return undefined;
  let from = start;
  const before = terms[start - 1];
  if (before !== undefined && /^(on|in|at|this|next)$/u.test(before.normal)) from--;
  let end = start;
  while (end + 1 < terms.length && (has(terms[end + 1], "Date") || FUTURE_WORDS.has(terms[end + 1]?.normal ?? ""))) end++;
  return terms
    .slice(from, end + 1)
    .map((t) => t.text.toLowerCase())
    .join(" ")
    .replace(/\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)\b/gu, titleCase);
}

const hasFutureDate = (terms: readonly Term[]) =>
  terms.some((t) => has(t, "WeekDay") || has(t, "Month") || FUTURE_WORDS.has(t.normal)) && !terms.some((t) => has(t, "PastTense") && !has(t, "Passive"));

const LIKE_VERBS: Readonly<Record<string, [FactCategory, string]>> = {
  love: ["like", "Loves"],
  like: ["like", "Likes"],
  enjoy: ["like", "Enjoys"],
  adore: ["like", "Adores"],
  hate: ["dislike", "Hates"],
  dislike: ["dislike", "Dislikes"],
  detest: ["dislike", "Detests"],
  loathe: ["dislike", "Loathes"],
};

type Push = (key: string, category: FactCategory, content: string, importance: number) => void;

function names(terms: readonly Term[], push: Push) {
  const patterns: [string[], (t: Term | undefined) => t is Term][] = [
    [["my", "name", "is"], isGivenName],
    [["my", "name's"], isGivenName],
    [["i", "am", "called"], isGivenName],
    [["call", "me"], isGivenName],
    [["it", "is"], (t): t is Term => properName(t) && has(t, "Person")],
    [["this", "is"], (t): t is Term => properName(t) && has(t, "Person")],
  ];
  for (const [words, accept] of patterns) {
    const at = find(terms, words);
    const name = terms[at + words.length];
    if (at !== -1 && accept(name)) {
      push("name", "name", `Their name is ${titleCase(name.text)}.`, 9);
      return;
    }
  }
}

function work(terms: readonly Term[], push: Push) {
  const as = find(terms, ["i", "work", "as"]);
  const asPhrase = as === -1 ? undefined : readPhrase(terms, as + 3);
  if (asPhrase !== undefined) push("job", "job", `Works as ${article(asPhrase.bare)}.`, 7);

  const am = find(terms, ["i", "am"]);
  const a = am === -1 ? -1 : skipAdverbs(terms, am + 2);
  if (a !== -1 && /^(a|an)$/u.test(terms[a]?.normal ?? "")) {
    const role = readPhrase(terms, a);
    if (role !== undefined && isOccupation(role.head)) {
      push("job", "job", `Works as ${article(role.bare)}.`, 7);
      const at = terms[role.end];
      const place = at !== undefined && /^(at|for)$/u.test(at.normal) ? readPhrase(terms, role.end + 1) : undefined;
      if (place !== undefined) push("workplace", "job", `Works ${at?.normal} ${place.text}.`, 6);
    }
  }
  const at = find(terms, ["i", "work", "at|for"]);
  const place = at === -1 ? undefined : readPhrase(terms, at + 3);
  if (place !== undefined) push("workplace", "job", `Works ${terms[at + 2]?.normal} ${place.text}.`, 6);
}

function home(terms: readonly Term[], push: Push) {
  const live = find(terms, ["i", "live", "in"]);
  const place = live === -1 ? undefined : readPhrase(terms, live + 3);
  if (place !== undefined) push("home", "home", `Lives in ${place.text}.`, 6);
  const am = find(terms, ["i", "am"]);
  const from = am === -1 ? -1 : skipAdverbs(terms, am + 2);
  const origin = from !== -1 && terms[from]?.normal === "from" ? readPhrase(terms, from + 1) : undefined;
  if (origin !== undefined && has(origin.head, "ProperNoun")) push("origin", "home", `Is from ${origin.text}.`, 5);
}

function peopleAndPets(terms: readonly Term[], push: Push) {
  const add = (relation: string, name: Term) => {
    const noun = relation.split(" ").at(-1) ?? relation;
    const pet = PETS.has(noun);
    if (!pet && !RELATIONS.has(noun)) return;
    const who = titleCase(name.text);
    push(`${pet ? "pet" : "person"}:${foldKey(who)}`, pet ? "pet" : "person", `Has ${article(relation)} named ${who}.`, 8);
  };
  terms.forEach((t, i) => {
    if (t.normal !== "my" && t.normal !== "our") return;
    let j = i + 1;
    const words: string[] = [];
    while (j < terms.length && words.length < 3 && (has(terms[j], "Adjective") || (has(terms[j], "Noun") && !/^\p{Lu}/u.test(terms[j]?.text ?? "")))) {
      words.push(terms[j]?.normal ?? "");
      if ((terms[j]?.post ?? "") !== "") break;
      j++;
    }
    const name = terms[j];
    if (words.length > 0 && (terms[j - 1]?.post ?? "") === "" && properName(name)) add(words.join(" "), name);
  });
  const have = find(terms, ["i", "have", "a|an"]);
  if (have !== -1) {
    const named = find(terms, ["named|called"], have + 3);
    const relation = terms.slice(have + 3, named).map((t) => t.normal);
    const name = terms[named + 1];
    if (named !== -1 && relation.length > 0 && relation.length <= 3 && isName(name)) add(relation.join(" "), name);
  }
}

function likes(terms: readonly Term[], push: Push) {
  terms.forEach((t, i) => {
    if (t.normal !== "i") return;
    let v = skipAdverbs(terms, i + 1);
    let category: FactCategory | undefined;
    let verb = "";
    const word = terms[v]?.normal ?? "";
    const negated = (word === "do" || word === "can") && terms[v + 1]?.normal === "not";
    if (negated && word === "can" && terms[v + 2]?.normal === "stand") {
      [category, verb, v] = ["dislike", "Can't stand", v + 3];
    } else if (negated && word === "do" && /^(like|love|enjoy)$/u.test(terms[v + 2]?.normal ?? "")) {
      [category, verb, v] = ["dislike", `Doesn't ${terms[v + 2]?.normal}`, v + 3];
    } else {
      const said = terms[v];
      const entry = said !== undefined && has(said, "Verb") ? (LIKE_VERBS[said.normal] ?? LIKE_VERBS[infinitiveOf(said)]) : undefined;
      if (entry === undefined) return;
      [category, verb, v] = [entry[0], entry[1], v + 1];
    }
    const thing = readPhrase(terms, v, { allowGerund: true });
    if (thing === undefined || thing.text.startsWith("that ")) return;
    push(`likes:${foldKey(thing.bare)}`, category, `${verb} ${thing.text}.`, 5);
  });
}

function plans(terms: readonly Term[], push: Push) {
  if (!hasFutureDate(terms)) return;
  const when = datePhrase(terms);
  const suffix = when === undefined ? "." : ` ${when}.`;
  const have = find(terms, ["i|we", "have|has"]);
  const thing = have === -1 ? undefined : readPhrase(terms, have + 2);
  if (thing !== undefined) {
    push(`plan:${foldKey(thing.bare)}`, "plan", `Has ${/^(a|an|the|their) /u.test(thing.text) ? thing.text : article(thing.text)}${suffix}`, 7);
    return;
  }
  const my = find(terms, ["my|our"]);
  const event = my === -1 ? undefined : readPhrase(terms, my);
  // "my name is Jun" names the person (names()), it is no event in June.
  if (event !== undefined && /^(is|are)$/u.test(terms[event.end]?.normal ?? "") && !has(event.head, "ProperNoun") && event.head.normal !== "name") {
    push(`plan:${foldKey(event.bare)}`, "plan", `Has ${article(event.bare)}${suffix}`, 7);
    return;
  }
  const subject = find(terms, ["i|we", "am|are|will"]);
  if (subject === -1) return;
  let v = skipAdverbs(terms, subject + 2);
  if (terms[v]?.normal === "going" && terms[v + 1]?.normal === "to") v += 2;
  const verb = terms[v];
  if (verb === undefined || !has(verb, "Verb") || has(verb, "Copula") || has(verb, "Auxiliary")) return;
  const infinitive = infinitiveOf(verb);
  const to = terms[v + 1]?.normal === "to" ? "to " : "";
  const object = readPhrase(terms, v + 1 + (to === "" ? 0 : 1));
  const keyTail = [infinitive, to === "" ? "" : "to", object?.bare ?? ""].filter((w) => w !== "").join(" ");
  const said = [infinitive, to.trim(), object?.text ?? ""].filter((w) => w !== "").join(" ");
  push(`plan:${foldKey(keyTail)}`, "plan", `Plans to ${said}${suffix}`, 7);
}

function feelings(terms: readonly Term[], push: Push) {
  const been = find(terms, ["i", "have", "been", "feeling|getting"]);
  let adj = -1;
  let lead = "";
  if (been !== -1) {
    adj = skipAdverbs(terms, been + 4);
    lead = "Has been feeling";
  } else if (terms.some((t) => RECURRENCE.has(t.normal))) {
    const i = find(terms, ["i"]);
    const v = i === -1 ? -1 : skipAdverbs(terms, i + 1);
    if (v === -1 || !/^(feel|get|am)$/u.test(terms[v]?.normal ?? "")) return;
    adj = skipAdverbs(terms, v + 1);
    lead = `${capitalize(terms.slice(i + 1, v).find((t) => RECURRENCE.has(t.normal))?.normal ?? "often")} feels`;
  }
  const feeling = terms[adj];
  // "get tired": compromise tags the participle as a past-tense verb.
  if (feeling === undefined || !(has(feeling, "Adjective") || has(feeling, "PastTense")) || has(feeling, "Date")) return;
  const rest = terms[adj + 1];
  const context = rest !== undefined && /^(before|after|when|around|at|in|on)$/u.test(rest.normal) ? readPhrase(terms, adj + 2) : undefined;
  const lately = been !== -1 && terms.some((t) => t.normal === "lately");
  const tail = context !== undefined ? ` ${rest?.normal} ${context.text}` : lately ? " lately" : "";
  push(`feeling:${foldKey(feeling.normal)}`, "feeling", `${lead} ${feeling.normal}${tail}.`, 6);
}

function isQuestionOrHypothetical(clause: string, terms: readonly Term[]): boolean {
  if (/\?\s*$/u.test(clause)) return true;
  const first = terms[0]?.normal ?? "";
  if (QUESTION_START.has(first) && terms[1]?.normal !== undefined && /^(you|i|we|your|my)$/u.test(terms[1]?.normal ?? "")) return true;
  return terms.some((t) => HYPOTHETICAL.has(t.normal));
}

/** The facts a message states about its writer, at most one per key, in order of appearance. */
export async function extractFacts(message: string): Promise<ExtractedFact[]> {
  await loadNlp();
  return factsOf(message);
}

/** extractFacts, once compromise is loaded. */
export function factsOf(message: string): ExtractedFact[] {
  const facts = new Map<string, ExtractedFact>();
  const push: Push = (key, category, content, importance) => {
    const trimmed = key.slice(0, 80);
    // A name in a script ASCII folding drops ("Рекс") leaves no key to update later.
    if (trimmed.endsWith(":")) return;
    if (!facts.has(trimmed)) facts.set(trimmed, { key: trimmed, category, content: capitalize(content.replace(/\s+/gu, " ")), importance });
  };
  for (const clause of clausesOf(message.slice(0, 4_000))) {
    const terms = termsOf(parse(clause));
    if (terms.length === 0 || isQuestionOrHypothetical(clause, terms)) continue;
    names(terms, push);
    work(terms, push);
    home(terms, push);
    peopleAndPets(terms, push);
    likes(terms, push);
    plans(terms, push);
    feelings(terms, push);
  }
  return [...facts.values()];
}
