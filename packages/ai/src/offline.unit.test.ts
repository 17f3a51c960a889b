import { describe, expect, it } from "vitest";
import { MOOD_LABELS } from "./mood.ts";
import { createOfflinePersona, offlineReply, pickKeyword, seededRandom } from "./offline.ts";
import { KNOWN_TRAITS } from "./offline-lines.ts";
import type { CompletionRequest, PersonaContext } from "./types.ts";

const ask = (content: string, persona: PersonaContext): CompletionRequest => ({
  messages: [{ role: "user", content }],
  maxTokens: 50,
  persona,
});

describe("offline persona fallback", () => {
  it("differs by mood and by trait for the same message and seed", () => {
    const message = "I went hiking in the mountains";
    const byMood = MOOD_LABELS.map((mood) => offlineReply({ traits: ["curious"], mood }, message, seededRandom(1)));
    expect(new Set(byMood).size).toBe(MOOD_LABELS.length);
    const byTrait = KNOWN_TRAITS.map((trait) => offlineReply({ traits: [trait], mood: "content" }, message, seededRandom(1)));
    expect(new Set(byTrait).size).toBe(KNOWN_TRAITS.length);
  });

  it("echoes a keyword of the user's message", () => {
    expect(pickKeyword("Honestly my sourdough failed again")).toBe("sourdough");
    expect(pickKeyword("I had a rough day at work")).toBe("work");
    expect(pickKeyword("I love this new bicycle")).toBe("bicycle");
    // Quantities after an article are not the topic: "a bit lonely" is about feeling lonely.
    expect(pickKeyword("I feel a bit lonely today")).toBe("lonely");
    expect(pickKeyword("Tell me something nice")).toBeUndefined();
    expect(pickKeyword("ok hi")).toBeUndefined();
    const reply = offlineReply({ traits: ["caring"], mood: "lonely" }, "My sourdough failed again", seededRandom(5));
    expect(reply).toMatch(/sourdough/i);
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
    expect((await offline.complete(ask("my violin recital", persona))).text).toBe("Mira is beaming! Tell me about violin.");
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
});
