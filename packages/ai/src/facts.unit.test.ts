import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { extractFacts, factsOf } from "./facts.ts";
import { loadNlp } from "./nlp.ts";
import { seededRandom } from "./offline.ts";

interface CorpusLine {
  message: string;
  facts: { key: string; category: string }[];
}

const corpus = JSON.parse(readFileSync(new URL("../test-data/memory-corpus.json", import.meta.url), "utf8")) as { messages: CorpusLine[] };

describe("offline memory extractor", () => {
  beforeAll(() => loadNlp());

  it("extractFacts, the entry point that loads compromise, answers as factsOf", async () => {
    expect(await extractFacts("I love coffee")).toEqual(factsOf("I love coffee"));
  });

  it("reaches precision and recall of at least 0.8 over the memory corpus", () => {
    let predicted = 0;
    let correct = 0;
    let expected = 0;
    let found = 0;
    const misses: string[] = [];
    for (const line of corpus.messages) {
      const facts = factsOf(line.message);
      const same = (a: { key: string; category: string }, b: { key: string; category: string }) => a.key === b.key && a.category === b.category;
      predicted += facts.length;
      correct += facts.filter((f) => line.facts.some((e) => same(f, e))).length;
      expected += line.facts.length;
      found += line.facts.filter((e) => facts.some((f) => same(f, e))).length;
      for (const f of facts) if (!line.facts.some((e) => same(f, e))) misses.push(`extra ${f.category} ${f.key} in "${line.message}"`);
      for (const e of line.facts) if (!facts.some((f) => same(f, e))) misses.push(`missed ${e.category} ${e.key} in "${line.message}"`);
    }
    const precision = predicted === 0 ? 0 : correct / predicted;
    const recall = expected === 0 ? 0 : found / expected;
    console.log(
      `memory extractor: precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)} over ${corpus.messages.length} messages (${expected} facts)` +
        (misses.length > 0 ? `\n  ${misses.join("\n  ")}` : ""),
    );
    expect(corpus.messages).toHaveLength(50);
    expect(precision).toBeGreaterThanOrEqual(0.8);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });

  it("keys the same fact, and its contradiction, alike", () => {
    const love = factsOf("I love coffee");
    const hate = factsOf("Honestly, I hate coffee.");
    expect(love).toEqual([{ key: "likes:coffee", category: "like", content: "Loves coffee.", importance: 5 }]);
    expect(hate).toEqual([{ key: "likes:coffee", category: "dislike", content: "Hates coffee.", importance: 5 }]);
    expect(factsOf("my sister Ana is visiting")[0]).toMatchObject({ key: "person:ana", content: "Has a sister named Ana." });
    expect(factsOf("I'm called José")[0]).toMatchObject({ key: "name", content: "Their name is José." });
    expect(factsOf("My dog Rëx is sick")[0]?.key).toBe("pet:rex");
    // Two misses of a later check, fixed: the "name's" contraction, a date noun ending the object.
    expect(factsOf("My name's Oliver btw")[0]).toMatchObject({ key: "name", content: "Their name is Oliver." });
    expect(factsOf("I'm visiting my grandma next weekend")[0]).toMatchObject({ key: "plan:visit grandma", content: "Plans to visit their grandma next weekend." });
  });

  it("reads a name that is also a month as a name, not as a plan", () => {
    for (const [message, name] of [["oh and my name is Jun.", "Jun"], ["my name's April", "April"], ["call me May", "May"]] as const) {
      expect(factsOf(message)).toEqual([{ key: "name", category: "name", content: `Their name is ${name}.`, importance: 9 }]);
    }
  });

  it("says nothing about the person for questions, hypotheticals and other people", () => {
    for (const message of ["do you like coffee?", "if I were a doctor I'd be rich", "my friend loves jazz", "what's your name", ""]) {
      expect(factsOf(message)).toEqual([]);
    }
  });

  it("keeps keys short and content sentences third-person", () => {
    const facts = factsOf(`I love ${"really ".repeat(5)}${"big ".repeat(40)}dogs. On Friday I have a job interview.`);
    for (const fact of facts) {
      expect(fact.key.length).toBeLessThanOrEqual(80);
      expect(fact.key).toMatch(/^[a-z0-9:' -]+$/);
      expect(fact.content).not.toMatch(/\b(my|I)\b/);
    }
    expect(facts.find((f) => f.category === "plan")?.content).toBe("Has a job interview on Friday.");
  });

  it("never throws and always keys its facts, on arbitrary fragments", () => {
    const random = seededRandom(1);
    const pieces = ["my ", "I ", "'m ", "name ", "is ", "dog ", "Rex ", "Рекс ", ",", ".", "?", "😀", "\u0000", "日本", "é", "\n", "love ", "hate ", "on Friday ", "a ", "the ", "'s", "I'd ", "if ", "call me ", "named ", "O'Brien "];
    for (let i = 0; i < 500; i++) {
      const message = Array.from({ length: Math.floor(random() * 20) }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      for (const fact of factsOf(message)) {
        expect(fact.key).toMatch(/^[a-z]+(?::[a-z0-9' -]*[a-z0-9])?$/);
        expect(fact.content.length).toBeGreaterThan(1);
      }
    }
    expect(factsOf("my dog Рекс is asleep")).toEqual([]);
  });
});
