/**
 * The offline memory extractor (docs/memory.md): what a message says about the person, as
 * facts keyed so that the same fact said twice (or contradicted) lands on one memory.
 * INTERIM: recognizes "my name is …" and "I work as …" only; the NLP extractor replaces the body.
 */

export type FactCategory = "name" | "job" | "home" | "person" | "pet" | "like" | "dislike" | "plan" | "feeling" | "other";

export interface ExtractedFact {
  /** Normalized identity of the fact ("name", "job", "pet:rex", "likes:coffee"); the memory's fact_key. */
  key: string;
  category: FactCategory;
  /** A short sentence about the person, in the third person ("Works as a nurse."). */
  content: string;
  /** 1–10. */
  importance: number;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function extractFacts(message: string): ExtractedFact[] {
  const facts: ExtractedFact[] = [];
  const name = /\bmy name is ([A-Z][\p{L}'-]+)/u.exec(message);
  if (name?.[1]) facts.push({ key: "name", category: "name", content: `Their name is ${name[1]}.`, importance: 9 });
  const job = /\bI work as (an? [\p{L} -]+?)(?:[.,!?]|$)/iu.exec(message);
  if (job?.[1]) facts.push({ key: "job", category: "job", content: capitalize(`works as ${job[1].toLowerCase()}.`), importance: 7 });
  return facts;
}
