/**
 * The offline rolling summary (docs/memory.md, "Offline extraction and persona"): an
 * extractive summary of the oldest turns of a conversation, for when no model is configured.
 * Sentences are scored (facts, named entities, recurring topics; the person's words above the
 * companion's; greetings and filler zero) and the best kept in their original order.
 */
import { factsOf } from "./facts.ts";
import { loadNlp, parse } from "./nlp.ts";
import { topicsOf } from "./topics.ts";

export interface SummaryTurn {
  role: "user" | "assistant";
  content: string;
}

interface Sentence {
  text: string;
  order: number;
  score: number;
}

const MAX_TURN_CHARS = 2_000;
const FILLER = /^(?:hi|hey|hello|hiya|yo|good (?:morning|night|evening|afternoon)|thanks?(?: you)?|thx|ok(?:ay)?|k|sure|yes|yeah|yep|no|nope|lol|haha|hmm+|cool|nice|great|bye|see you|night)\b[\s\p{P}\p{Emoji}]*$/iu;

const wordCount = (text: string) => text.split(/\s+/u).filter((w) => w !== "").length;

function sentencesOf(turns: readonly SummaryTurn[]): { sentences: Sentence[]; heads: string[][] } {
  const sentences: Sentence[] = [];
  const heads: string[][] = [];
  turns.forEach((turn) => {
    const doc = parse(turn.content.slice(0, MAX_TURN_CHARS));
    const texts = (doc.sentences().out("array") as string[]).map((s) => s.trim()).filter((s) => s !== "");
    texts.forEach((text) => {
      const sentenceDoc = parse(text);
      const topics = topicsOf(sentenceDoc);
      const entities =
        (sentenceDoc.people().out("array") as string[]).length +
        (sentenceDoc.places().out("array") as string[]).length +
        (sentenceDoc.organizations().out("array") as string[]).length;
      const filler = FILLER.test(text) || wordCount(text) < 3 || (topics.length === 0 && entities === 0 && wordCount(text) < 6);
      const facts = turn.role === "user" ? factsOf(text).length : 0;
      let score = filler ? 0 : 1 + 3 * facts + 1.5 * entities + 0.3 * topics.length;
      if (turn.role === "assistant") score *= text.endsWith("?") ? 0.2 : 0.4;
      sentences.push({ text, order: sentences.length, score });
      heads.push(topics.map((t) => t.head));
    });
  });
  return { sentences, heads };
}

/** Cuts `text` to `max` characters from the front (the oldest part goes first), at a sentence or word boundary. */
function trimFront(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 2) return "";
  const tail = text.slice(text.length - max);
  const sentenceStart = tail.search(/(?<=[.!?])\s+\S/u);
  if (sentenceStart !== -1 && tail.length - sentenceStart > max / 3) return tail.slice(sentenceStart).trim();
  const wordStart = tail.indexOf(" ");
  const cut = wordStart === -1 ? tail.slice(1) : tail.slice(wordStart + 1);
  return `…${cut}`.slice(-max);
}

const trimEnd = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).replace(/\s+\S*$/u, "")}…`.slice(0, max));

/** At most `maxChars` characters; `previous` (the last summary) is kept in front, trimmed first. */
export async function summarizeExtractive(turns: readonly SummaryTurn[], maxChars: number, previous = ""): Promise<string> {
  if (maxChars <= 0) return "";
  await loadNlp();
  const before = previous.trim().replace(/\s+/gu, " ");
  const { sentences, heads } = sentencesOf(turns);
  // A topic that comes back in several sentences is what the conversation is about.
  const seen = new Map<string, number>();
  for (const hs of heads) for (const h of new Set(hs)) seen.set(h, (seen.get(h) ?? 0) + 1);
  sentences.forEach((s, i) => {
    if (s.score > 0) s.score += (heads[i] ?? []).filter((h) => (seen.get(h) ?? 0) > 1).length;
  });

  // New sentences get the room the previous summary leaves, and at least half of it.
  const budget = before === "" ? maxChars : Math.max(Math.floor(maxChars / 2), maxChars - before.length - 1);
  const chosen: Sentence[] = [];
  let used = 0;
  for (const s of [...sentences].filter((x) => x.score > 0).sort((a, b) => b.score - a.score || a.order - b.order)) {
    const cost = s.text.length + (chosen.length > 0 ? 1 : 0);
    if (used + cost <= budget) {
      chosen.push(s);
      used += cost;
    } else if (chosen.length === 0) {
      chosen.push({ ...s, text: trimEnd(s.text, budget) });
      used = chosen[0]?.text.length ?? 0;
    }
  }
  const added = chosen
    .sort((a, b) => a.order - b.order)
    .map((s) => s.text)
    .join(" ");
  if (added === "") return trimFront(before, maxChars);
  const room = maxChars - added.length - 1;
  const kept = room > 0 ? trimFront(before, room) : "";
  return (kept === "" ? added : `${kept} ${added}`).slice(0, maxChars);
}
