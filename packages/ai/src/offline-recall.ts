/**
 * The offline persona bringing up something it remembers: a follow-up question derived from
 * a memory's content ("Has a dog named Rex." → "How is Rex doing, by the way?"), not the
 * memory pasted back. Shapes follow the contents extractFacts writes; others go by topic.
 */
import { type Topic, messageTopics } from "./topics.ts";

const pick = <T>(items: readonly T[], random: () => number): T | undefined => items[Math.floor(random() * items.length)];

// Third person as stored ("their sister") → second person as said ("your sister").
const toYou = (text: string) =>
  text
    .replace(/\btheirs\b/giu, "yours")
    .replace(/\btheir\b/giu, "your")
    .replace(/\bthemselves\b/giu, "yourself")
    .replace(/\s+/gu, " ")
    .trim();

const DISLIKE_VERBS: Readonly<Record<string, string>> = {
  hates: "hate",
  dislikes: "dislike",
  detests: "detest",
  loathes: "loathe",
  "can't stand": "can't stand",
  "doesn't like": "don't like",
  "doesn't love": "don't love",
  "doesn't enjoy": "don't enjoy",
};

type Rule = [RegExp, (m: RegExpExecArray) => readonly string[]];

const RULES: readonly Rule[] = [
  [/^their name is ([\p{L}' -]+)\.?$/iu, (m) => [`It's good to hear from you, ${m[1]}.`]],
  [
    /^has an? ((?:\w+ )?(?:dog|puppy|cat|kitten|hamster|rabbit|bunny|parrot|bird|budgie|fish|goldfish|horse|pony|turtle|tortoise|snake|lizard|gecko|ferret|rat|mouse|guinea pig|chinchilla|hedgehog)) named ([\p{L}'-]+)\.?$/iu,
    (m) => [`How is ${m[2]} doing, by the way?`, `Give ${m[2]} a scratch from me!`],
  ],
  [/^has an? ([\p{L} -]+?) named ([\p{L}'-]+)\.?$/iu, (m) => [`How is ${m[2]}, by the way?`, `Say hi to ${m[2]} for me!`]],
  [
    /^has (?:an?|the|their) ([\p{L} -]+?) ((?:on|in|at|this|next) [\p{L} ]+|tomorrow|tonight)\.?$/iu,
    (m) => [`Is the ${m[1]} ${m[2]} still on?`, `How are you feeling about the ${m[1]}?`],
  ],
  [/^plans to (.+?)\.?$/iu, (m) => [`Are you still planning to ${toYou(m[1] ?? "")}?`]],
  [/^(?:loves|likes|enjoys|adores) (.+?)\.?$/iu, (m) => [`Had any time for ${toYou(m[1] ?? "")} lately?`, `I remember how much you like ${toYou(m[1] ?? "")}.`]],
  [
    /^(hates|dislikes|detests|loathes|can't stand|doesn't (?:like|love|enjoy)) (.+?)\.?$/iu,
    (m) => [`I haven't forgotten that you ${DISLIKE_VERBS[(m[1] ?? "").toLowerCase()] ?? "dislike"} ${toYou(m[2] ?? "")}, by the way.`],
  ],
  [/^works as (.+?)\.?$/iu, () => ["How's work been treating you?"]],
  [/^works (?:at|for) (.+?)\.?$/iu, (m) => [`How are things at ${toYou(m[1] ?? "")}?`]],
  [/^lives in (.+?)\.?$/iu, (m) => [`How's life in ${toYou(m[1] ?? "")} these days?`]],
  [/^is from (.+?)\.?$/iu, (m) => [`Do you miss ${toYou(m[1] ?? "")} sometimes?`]],
  [/^has been feeling (\p{L}+)/iu, (m) => [`Are you still feeling ${m[1]}?`]],
  [/^(?:always|often|usually|sometimes|constantly|frequently) feels (\p{L}+)/iu, (m) => [`Have you been feeling less ${m[1]} lately?`]],
];

/** A line bringing up `memory` (a memory's content), or undefined when nothing natural comes out. */
export function recallLine(memory: string, random: () => number): string | undefined {
  const text = memory.trim().slice(0, 300);
  for (const [pattern, lines] of RULES) {
    const match = pattern.exec(text);
    if (match !== null) return pick(lines(match), random);
  }
  // Free-text memories (written by the person): ask after the person or thing they name.
  const topic = messageTopics(toYou(text))[0];
  if (topic === undefined) return undefined;
  return topic.person ? `How is ${topic.text}, by the way?` : `I keep thinking about ${topic.text.replace(/^the /u, "")}, by the way. How is that going?`;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);

/** The first memory (most relevant first) sharing a topic's head word or name with the message. */
export function memoryOnTopic(memories: readonly string[], topics: readonly Topic[]): string | undefined {
  if (topics.length === 0) return undefined;
  const heads = topics.map((t) => t.head).filter((w) => w.length >= 3);
  return memories.find((memory) => {
    const inMemory = words(memory);
    return heads.some((h) => inMemory.has(h));
  });
}
