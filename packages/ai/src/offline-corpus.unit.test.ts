import { readFileSync } from "node:fs";
import nlp from "compromise";
import { beforeAll, describe, expect, it } from "vitest";
import { loadNlp } from "./nlp.ts";
import { composeOfflineReply, seededRandom } from "./offline.ts";
import type { PersonaContext } from "./types.ts";

const corpus = JSON.parse(readFileSync(new URL("../test-data/persona-corpus.json", import.meta.url), "utf8")) as { messages: string[] };

const PERSONAS: PersonaContext[] = [
  { traits: ["caring"], mood: "lonely" },
  { traits: ["playful", "witty"], mood: "joyful" },
  { traits: ["calm", "curious"], mood: "neutral" },
  { name: "Mira", traits: ["shy"], mood: "distant", fallbackLines: { distant: ["{name} looks up. {topic}?"] } },
];
// Lines of the corpus naming no thing at all (a feeling, a verb, filler): a reply must not pretend they do.
const NO_TOPIC = ["It was rough", "thanks, that helps", "honestly I'm exhausted", "I feel a bit lonely today", "can't sleep", "I'm so bored", "ok", "that was weird", "it hurts so much", "guess what happened"];

const fold = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N} ]+/gu, " ").replace(/\s+/gu, " ").trim();

/** The message's noun phrases and names as compromise sees them, and the words it tags as nouns. */
function nounsOf(message: string) {
  const doc = nlp(message);
  const phrases = [...(doc.nouns().out("array") as string[]), ...(doc.people().out("array") as string[])].map(fold);
  const nounWords = new Set((doc.match("#Noun").not("#Pronoun").out("array") as string[]).flatMap((w) => fold(w).split(" ")));
  return { phrases, nounWords };
}

describe("offline persona over the persona corpus", () => {
  beforeAll(() => loadNlp());

  it("names only noun phrases or names of the message, and nothing for lines without one", () => {
    const bad: string[] = [];
    let replies = 0;
    let named = 0;
    let elapsed = 0;
    for (const message of corpus.messages) {
      const { phrases, nounWords } = nounsOf(message);
      for (const persona of PERSONAS) {
        for (const seed of [1, 2, 3]) {
          const started = performance.now();
          const parts = composeOfflineReply(persona, message, seededRandom(seed));
          elapsed += performance.now() - started;
          replies++;
          if (parts.text.trim() === "" || /[{}]/u.test(parts.text)) bad.push(`empty or unfilled reply to "${message}": ${parts.text}`);
          if (parts.topic === undefined) continue;
          named++;
          const source = fold(parts.topic.source);
          const head = source.split(" ").at(-1) ?? "";
          if (!parts.text.toLowerCase().includes(parts.topic.text.toLowerCase())) bad.push(`topic "${parts.topic.text}" not in reply to "${message}"`);
          if (!phrases.some((p) => ` ${p} `.includes(` ${source} `))) bad.push(`"${source}" is no noun phrase of "${message}"`);
          if (!nounWords.has(head)) bad.push(`"${head}" is no noun in "${message}"`);
          if (NO_TOPIC.includes(message)) bad.push(`"${message}" names nothing, but the reply names "${parts.topic.text}"`);
        }
      }
    }
    const perReply = elapsed / replies;
    console.log(
      `offline persona: ${corpus.messages.length} messages × ${PERSONAS.length} personas × 3 seeds = ${replies} replies, ` +
        `${named} name a topic, ${bad.length} problems, ${perReply.toFixed(2)} ms per reply` +
        (bad.length > 0 ? `\n  ${[...new Set(bad)].slice(0, 30).join("\n  ")}` : ""),
    );
    expect(corpus.messages).toHaveLength(100);
    expect(bad).toEqual([]);
    // Most lines do name something: a topic picker that gave up would pass the checks above.
    expect(named).toBeGreaterThan(replies * 0.6);
  });
});
