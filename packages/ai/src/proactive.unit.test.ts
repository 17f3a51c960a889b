import { describe, expect, it } from "vitest";
import { offlineDigestLetter, parseDigestLetter } from "./digest.ts";
import { cleanProactiveText, offlineProactiveMessage } from "./proactive.ts";

const persona = { name: "Luna", traits: ["caring"] };

describe("offlineProactiveMessage", () => {
  it("asks about the most important memory that gives a question", () => {
    const memories = [
      { content: "Their name is Sam.", factKey: "name" },
      { content: "Has a job interview on Friday.", factKey: "plan:job interview" },
      { content: "Has a dog called Rex.", factKey: "pet:rex" },
    ];
    expect(offlineProactiveMessage({ persona, mood: "content", memories })).toBe("Hey! How did the job interview go? I've been wondering since you mentioned it.");
    expect(offlineProactiveMessage({ persona, mood: "content", memories: memories.slice(2) })).toBe("Hey! How's Rex doing?");
    expect(offlineProactiveMessage({ persona, mood: "content", memories: [{ content: "Loves the sea.", factKey: null }] })).toContain('"Loves the sea"');
  });

  it("without memories: a line for the mood and the persona's trait", () => {
    const text = offlineProactiveMessage({ persona, mood: "lonely", memories: [] }, () => 0);
    expect(text).toBe("It's been quiet without you. I hope you're okay. How are you? Are you taking care of yourself?");
    expect(offlineProactiveMessage({ persona: { name: "X", traits: [] }, mood: "unknown-label", memories: [] }, () => 0)).toBe("Hi! It's been a little while. How are things?");
  });
});

describe("cleanProactiveText", () => {
  it("strips quotes and whitespace; refuses empty and too long", () => {
    expect(cleanProactiveText('  "Hello   there!"\n')).toBe("Hello there!");
    expect(cleanProactiveText(" “ ” ")).toBeNull();
    expect(cleanProactiveText(Array.from({ length: 81 }, () => "w").join(" "))).toBeNull();
  });
});

describe("digest letters", () => {
  const stats = {
    week: "2026-W49",
    userMessages: 4,
    companionMessages: 1,
    daysTalked: 3,
    streak: 5,
    mood: { start: "neutral", end: "joyful" },
    memories: { count: 2, top: ["Has a sister called Ana."] },
    topReactions: [{ emoji: "❤️", count: 2 }],
  };

  it("the template says the week's numbers in the companion's voice", () => {
    const letter = offlineDigestLetter({ companionName: "Luna", traits: [], personName: "Sam", stats });
    expect(letter).toContain("Dear Sam");
    expect(letter).toContain("3 days");
    expect(letter).toContain("4 messages");
    expect(letter).toContain("wrote back 1 time.");
    expect(letter).toContain("5-day streak");
    expect(letter).toContain('"Has a sister called Ana"');
    expect(letter).toContain("❤️");
    expect(letter).toContain("started the week neutral and ended it joyful");
    expect(letter.endsWith("Luna")).toBe(true);
  });

  it("parses only the JSON asked for", () => {
    expect(parseDigestLetter('{"letter":"Hi!"}')).toBe("Hi!");
    expect(parseDigestLetter("Hi!")).toBeNull();
    expect(parseDigestLetter('{"letter":""}')).toBeNull();
    expect(parseDigestLetter('{"text":"Hi"}')).toBeNull();
  });
});
