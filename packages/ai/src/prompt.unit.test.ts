import { describe, expect, it } from "vitest";
import { type ChatPromptInput, buildChatPrompt } from "./prompt.ts";
import { seededRandom } from "./offline.ts";
import { estimateMessagesTokens, estimateTokens, truncateToTokens } from "./tokens.ts";

const base: ChatPromptInput = {
  persona: {
    name: "Mira",
    systemPrompt: "A warm botanist who loves rare orchids.",
    speakingStyle: "Short, gentle sentences with the odd plant pun.",
    backstory: "Grew up in a greenhouse in Porto.",
    traits: ["caring", "curious"],
  },
  mood: { label: "lonely", affection: 72, trust: 55.4, energy: 30 },
  pinnedMemories: [{ title: "Birthday", content: "The user's birthday is on 3 May." }],
  relevantMemories: [{ title: "Cat", content: "The user has a cat called Pixel." }],
  recentMessages: [
    { role: "user", content: "hi" },
    { role: "assistant", content: "hello you" },
  ],
  userMessage: "Guess what I bought today?",
  budget: { contextTokens: 4_000, replyTokens: 500, persona: 800, memories: 600, history: 1_500 },
};

describe("buildChatPrompt", () => {
  it("puts persona, mood with scores and memories in the system message, then history and the user turn", () => {
    const prompt = buildChatPrompt(base);
    const system = prompt.messages[0]!;
    expect(system.role).toBe("system");
    for (const fragment of ["Mira", "rare orchids", "plant pun", "Porto", "caring, curious", "lonely", "affection 72/100", "trust 55/100", "energy 30/100", "Stay in character", "birthday is on 3 May", "Pixel"]) {
      expect(system.content).toContain(fragment);
    }
    expect(system.content.indexOf("3 May")).toBeLessThan(system.content.indexOf("Pixel"));
    expect(prompt.messages.slice(1)).toEqual([...base.recentMessages, { role: "user", content: base.userMessage }]);
    expect(prompt.tokenCount).toBe(estimateMessagesTokens(prompt.messages));
    expect(prompt.dropped).toEqual({ historyMessages: 0, pinnedMemories: 0, relevantMemories: 0, loreEntries: 0, personaTruncated: false, userMessageTruncated: false });
  });

  it("drops the oldest history first, keeping a contiguous recent tail", () => {
    const recentMessages = Array.from({ length: 200 }, (_, i) => ({
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: `message number ${i} ${"lorem ipsum ".repeat(10)}`,
    }));
    const prompt = buildChatPrompt({ ...base, recentMessages, budget: { ...base.budget, history: 600 } });
    const history = prompt.messages.slice(1, -1);
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThan(200);
    expect(history).toEqual(recentMessages.slice(-history.length));
    expect(prompt.dropped.historyMessages).toBe(200 - history.length);
  });

  it("drops relevant memories before pinned ones", () => {
    const memory = (i: number) => ({ title: `m${i}`, content: "x".repeat(200) });
    const pinnedMemories = [memory(1), memory(2)];
    const relevantMemories = [memory(3), memory(4), memory(5)];
    const prompt = buildChatPrompt({ ...base, pinnedMemories, relevantMemories, budget: { ...base.budget, memories: 150 } });
    expect(prompt.dropped.pinnedMemories).toBe(0);
    expect(prompt.dropped.relevantMemories).toBe(3);
    expect(prompt.messages[0]!.content).toContain("m2:");
  });

  it("never exceeds the window minus the reply, for any mix of huge parts", () => {
    const random = seededRandom(2024);
    const int = (max: number) => Math.floor(random() * max);
    const text = (max: number) => "word ".repeat(int(max)) + "é".repeat(int(max / 10));
    for (let run = 0; run < 300; run++) {
      const contextTokens = 200 + int(8_000);
      const replyTokens = int(contextTokens - 100);
      const input: ChatPromptInput = {
        persona: { name: "N", systemPrompt: text(5_000), speakingStyle: text(2_000), backstory: text(20_000), traits: ["calm"] },
        mood: { label: "content", affection: int(100), trust: int(100), energy: int(100) },
        pinnedMemories: Array.from({ length: int(30) }, (_, i) => ({ title: `p${i}`, content: text(400) })),
        relevantMemories: Array.from({ length: int(60) }, (_, i) => ({ title: `r${i}`, content: text(400) })),
        recentMessages: Array.from({ length: int(300) }, (_, i) => ({ role: i % 2 ? ("assistant" as const) : ("user" as const), content: text(300) })),
        userMessage: text(run % 10 === 0 ? 50_000 : 200),
        budget: { contextTokens, replyTokens, persona: int(3_000), memories: int(3_000), history: int(6_000) },
      };
      const prompt = buildChatPrompt(input);
      expect(prompt.tokenCount).toBeLessThanOrEqual(contextTokens - replyTokens);
      expect(prompt.tokenCount).toBe(estimateMessagesTokens(prompt.messages));
      expect(prompt.messages.at(-1)?.role).toBe("user");
    }
  });

  it("refuses a budget that cannot hold a prompt", () => {
    expect(() => buildChatPrompt({ ...base, budget: { ...base.budget, contextTokens: 100, replyTokens: 90 } })).toThrow(RangeError);
  });
});

describe("token estimate", () => {
  it("counts about four ASCII chars per token and one per non-ASCII unit", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
    expect(estimateTokens("我今天")).toBe(3);
  });

  it("truncates to fit with an ellipsis", () => {
    const long = "the quick brown fox ".repeat(50);
    const cut = truncateToTokens(long, 10);
    expect(estimateTokens(cut)).toBeLessThanOrEqual(10);
    expect(cut.endsWith("…")).toBe(true);
    expect(truncateToTokens("short", 10)).toBe("short");
  });
});
