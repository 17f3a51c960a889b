import { beforeAll, describe, expect, it } from "vitest";
import { MOOD_LABELS } from "./mood.ts";
import { loadNlp } from "./nlp.ts";
import { createOfflinePersona, offlineReply, seededRandom } from "./offline.ts";
import { KNOWN_TRAITS } from "./offline-lines.ts";
import { offlineTopics } from "./topics.ts";
import type { CompletionRequest, PersonaContext } from "./types.ts";

const ask = (content: string, persona: PersonaContext): CompletionRequest => ({
  messages: [{ role: "user", content }],
  maxTokens: 50,
  persona,
});

describe("offline persona fallback", () => {
  beforeAll(() => loadNlp());

  it("differs by mood and by trait for the same message and seed", () => {
    const message = "I went hiking in the mountains";
    const byMood = MOOD_LABELS.map((mood) => offlineReply({ traits: ["curious"], mood }, message, seededRandom(1)));
    expect(new Set(byMood).size).toBe(MOOD_LABELS.length);
    const byTrait = KNOWN_TRAITS.map((trait) => offlineReply({ traits: [trait], mood: "content" }, message, seededRandom(1)));
    expect(new Set(byTrait).size).toBe(KNOWN_TRAITS.length);
  });

  it("echoes a noun phrase or a name of the user's message, never a verb or an adjective", () => {
    expect(offlineTopics("Honestly my sourdough failed again")).toEqual(["your sourdough"]);
    expect(offlineTopics("I had a rough day at work")).toEqual(["work"]);
    expect(offlineTopics("I love this new bicycle")).toEqual(["this new bicycle"]);
    expect(offlineTopics("My sister Ana is visiting next week")).toEqual(["Ana"]);
    expect(offlineTopics("I'm thinking about quitting my job at the hospital")).toEqual(["your job", "the hospital"]);
    // Feelings, verbs and filler are not topics: the no-topic lines answer these.
    expect(offlineTopics("I feel a bit lonely today")).toEqual([]);
    expect(offlineTopics("It was rough")).toEqual([]);
    expect(offlineTopics("thanks, that helps")).toEqual([]);
    expect(offlineTopics("Tell me something nice")).toEqual([]);
    expect(offlineTopics("ok hi")).toEqual([]);
    expect(offlineTopics("what about pancakes tonight?")).toEqual(["pancakes"]);
    const reply = offlineReply({ traits: ["caring"], mood: "lonely" }, "My sourdough failed again", seededRandom(5));
    expect(reply).toMatch(/your sourdough/i);
  });

  it("brings up a memory sharing the message's topic, as a question derived from it", () => {
    const persona: PersonaContext = { traits: ["caring"], mood: "content", memories: ["Loves coffee.", "Has a dog named Rex."] };
    const reply = offlineReply(persona, "Rex chewed my favourite shoes", seededRandom(3));
    expect(reply).toMatch(/Rex/);
    expect(reply).toMatch(/How is Rex doing, by the way\?|Give Rex a scratch from me!/);
    expect(reply).not.toContain("Has a dog named Rex");
    const plan = offlineReply({ traits: [], mood: "neutral", memories: ["Has a job interview on Friday."] }, "the interview is stressing me out", seededRandom(1));
    expect(plan).toMatch(/Is the job interview on Friday still on\?|How are you feeling about the job interview\?/);
    // Without a topic, the most relevant memory comes up some of the time (seeded).
    const noTopic = Array.from({ length: 20 }, (_, i) => offlineReply({ traits: [], mood: "neutral", memories: ["Lives in Porto."] }, "hi", seededRandom(i)));
    const recalled = noTopic.filter((r) => r.includes("How's life in Porto these days?")).length;
    expect(recalled).toBeGreaterThan(2);
    expect(recalled).toBeLessThan(18);
  });

  it("never returns an empty reply, whatever the input", () => {
    const random = seededRandom(42);
    const messages = ["", "   ", "ok", "?!", "😀😀", "a".repeat(500), "I love my new bicycle"];
    const traits = [[], ["unknown"], ["PLAYFUL "], ["witty", "calm"]];
    const moods = [...MOOD_LABELS, "furious", ""];
    for (const message of messages) {
      for (const t of traits) {
        for (const mood of moods) {
          expect(offlineReply({ traits: t, mood }, message, random).trim().length).toBeGreaterThan(0);
        }
      }
    }
  });

  it("prefers persona-authored lines for the mood, with placeholders filled", async () => {
    const persona: PersonaContext = {
      name: "Mira",
      traits: ["playful"],
      mood: "joyful",
      fallbackLines: { joyful: ["{name} is beaming! Tell me about {keyword}."], lonely: [] },
    };
    const offline = createOfflinePersona({ seed: 1 });
    expect((await offline.complete(ask("my violin recital", persona))).text).toBe("Mira is beaming! Tell me about your violin recital.");
    // No authored line for this mood: the built-in matrix answers.
    const lonely = await offline.complete(ask("my violin recital", { ...persona, mood: "lonely" }));
    expect(lonely.text).not.toContain("beaming");
  });

  it("is reproducible per seed and varies across calls", async () => {
    const persona: PersonaContext = { traits: ["witty", "curious", "calm"], mood: "content" };
    const a = createOfflinePersona({ seed: 9 });
    const b = createOfflinePersona({ seed: 9 });
    const repliesA: string[] = [];
    const repliesB: string[] = [];
    for (let i = 0; i < 6; i++) {
      repliesA.push((await a.complete(ask("thinking about the ocean", persona))).text);
      repliesB.push((await b.complete(ask("thinking about the ocean", persona))).text);
    }
    expect(repliesA).toEqual(repliesB);
    expect(new Set(repliesA).size).toBeGreaterThan(1);
  });

  it("streams word chunks that add up to the reply, with zero usage", async () => {
    const persona: PersonaContext = { traits: ["adventurous"], mood: "excited" };
    const text = (await createOfflinePersona({ seed: 4 }).complete(ask("road trip to Lisbon", persona))).text;
    const chunks = [];
    for await (const chunk of createOfflinePersona({ seed: 4 }).stream(ask("road trip to Lisbon", persona))) chunks.push(chunk);
    const deltas = chunks.flatMap((c) => (c.type === "delta" ? [c.text] : []));
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe(text);
    expect(chunks.at(-1)).toEqual({ type: "usage", promptTokens: 0, completionTokens: 0 });
  });

  it("paces its words with tokenDelayMs (AI_OFFLINE_TOKEN_DELAY_MS), and an abort cuts the pause short", async () => {
    const persona: PersonaContext = { traits: ["calm"], mood: "content" };
    const arrivals: number[] = [];
    const started = performance.now();
    for await (const chunk of createOfflinePersona({ seed: 4, tokenDelayMs: 20 }).stream(ask("road trip to Lisbon", persona))) {
      if (chunk.type === "delta") arrivals.push(performance.now() - started);
    }
    expect(arrivals.length).toBeGreaterThan(2);
    // Words arrive spread out, not in one burst: the last comes at least (n-1) pauses after the first.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual((arrivals.length - 1) * 18);

    const controller = new AbortController();
    const chunks = createOfflinePersona({ seed: 4, tokenDelayMs: 10_000 }).stream({ ...ask("road trip to Lisbon", persona), signal: controller.signal });
    const stream = chunks[Symbol.asyncIterator]();
    await stream.next();
    setTimeout(() => controller.abort(), 20);
    const before = performance.now();
    await expect(stream.next()).rejects.toThrow(/aborted/);
    expect(performance.now() - before).toBeLessThan(2_000);
  });
});
