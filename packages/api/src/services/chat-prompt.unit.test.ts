import { estimateMessagesTokens } from "@companion/ai";
import type { ChatPersonaContext } from "@companion/db";
import { describe, expect, it } from "vitest";
import { buildExchangePrompt, memorySearchQuery, promptBudget, type ExchangeContext } from "./chat-prompt.ts";

const DAY = 86_400_000;
const now = new Date("2026-03-10T12:00:00Z");

const persona = (relationship: Partial<ChatPersonaContext["relationship"]> = {}): ChatPersonaContext => ({
  name: "Luna",
  traits: ["caring", "curious"],
  systemPrompt: "You are a warm astronomer.",
  speakingStyle: "Soft sentences.",
  backstory: "Grew up by the sea.",
  personality: "",
  scenario: "",
  exampleDialogues: "",
  postHistoryInstructions: "",
  catchphrases: [],
  neverSay: [],
  fallbackLines: { lonely: ["I missed you."] },
  relationship: { affection: 50, trust: 50, energy: 50, interactionCount: 3, lastInteractionAt: now, ...relationship },
  aboutMe: "",
  userName: "Sam",
  ownerUserId: null,
  privateTexts: ["You are a warm astronomer.", "Soft sentences.", "Grew up by the sea."],
});

const context = (overrides: Partial<ExchangeContext> & { summary?: string | null } = {}): ExchangeContext => ({
  persona: persona(),
  memories: { pinned: [], relevant: [] },
  summary: null,
  recent: [],
  ...overrides,
});

describe("memorySearchQuery", () => {
  it("ORs the meaningful words, so one shared word is enough to match", () => {
    expect(memorySearchQuery("I went hiking with my dog Biscuit")).toBe("went or hiking or dog or biscuit");
  });

  it("drops stopwords, short words, duplicates and everything that is not a letter or digit", () => {
    expect(memorySearchQuery("The dog, the DOG & the dog's bowl!")).toBe("dog or bowl");
    expect(memorySearchQuery('"quoted" -negated or (grouped)')).toBe("quoted or negated or grouped");
  });

  it("returns null when nothing is left to search for", () => {
    expect(memorySearchQuery("it is ok, we are")).toBeNull();
    expect(memorySearchQuery("  ")).toBeNull();
  });

  it("keeps letters of any script and caps the number of terms", () => {
    expect(memorySearchQuery("Café über straße")).toBe("café or über or straße");
    const many = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    expect(memorySearchQuery(many)?.split(" or ")).toHaveLength(12);
  });
});

describe("promptBudget", () => {
  it("shares what the reply leaves between persona, memories and history", () => {
    const budget = promptBudget({ contextTokens: 4096, replyTokens: 96 });
    expect(budget).toEqual({ contextTokens: 4096, replyTokens: 96, persona: 1200, memories: 800, history: 2000, aboutMe: 200, summary: 600 });
    expect(budget.persona + budget.memories + budget.history).toBeLessThanOrEqual(4096 - 96);
  });
});

describe("buildExchangePrompt", () => {
  it("asks for the reply budget and hands the offline fallback the persona and current mood", () => {
    const prompt = buildExchangePrompt(context(), "hello", { contextTokens: 2048, replyTokens: 300 }, now);
    expect(prompt.maxTokens).toBe(300);
    expect(prompt.persona).toEqual({ name: "Luna", traits: ["caring", "curious"], mood: "neutral", fallbackLines: { lonely: ["I missed you."] }, memories: [] });
    expect(prompt.messages.at(-1)).toEqual({ role: "user", content: "hello" });
  });

  it("hands the offline fallback a few memory contents, those matching the message first", () => {
    let n = 0;
    const row = (content: string) => ({ id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`, title: "t", content });
    const memories = {
      pinned: [row("Has a dog named Rex."), row("Lives in Porto."), row("Loves coffee."), row("Works as a nurse.")],
      relevant: [row("Has a job interview on Friday."), row("Lives in Porto."), row("  ")],
    };
    const prompt = buildExchangePrompt(context({ memories }), "the interview", { contextTokens: 2048, replyTokens: 300 }, now);
    expect(prompt.persona.memories).toEqual(["Has a job interview on Friday.", "Lives in Porto.", "Has a dog named Rex.", "Loves coffee.", "Works as a nurse."]);
  });

  it("uses the mood as it stands now, after absence, not as it was stored", () => {
    const away = context({ persona: persona({ affection: 80, trust: 70, lastInteractionAt: new Date(now.getTime() - 3 * DAY) }) });
    const prompt = buildExchangePrompt(away, "hi again", { contextTokens: 2048, replyTokens: 300 }, now);
    expect(prompt.persona.mood).toBe("lonely");
    expect(prompt.messages[0]?.content).toContain("Current mood: lonely");
  });

  it("puts persona, memories and history in order and stays within the window", () => {
    const prompt = buildExchangePrompt(
      context({
        memories: { pinned: [{ id: "m-dog", title: "Dog", content: "Biscuit the beagle" }], relevant: [{ id: "m-trail", title: "Trail", content: "Cascade ridge" }] },
        recent: Array.from({ length: 200 }, (_, i) => ({ role: i % 2 === 0 ? ("user" as const) : ("assistant" as const), content: `turn ${i} `.repeat(20) })),
      }),
      "what next?",
      { contextTokens: 1024, replyTokens: 200 },
      now,
    );
    const system = prompt.messages[0]?.content ?? "";
    expect(system).toContain("You are a warm astronomer.");
    expect(system).toContain("Biscuit the beagle");
    expect(system).toContain("Cascade ridge");
    expect(prompt.tokenCount).toBe(estimateMessagesTokens(prompt.messages));
    expect(prompt.tokenCount).toBeLessThanOrEqual(1024 - 200);
    expect(prompt.messages[prompt.messages.length - 2]?.content).toContain("turn 199");
  });

  it("always carries the about-me and the rolling summary, each cut to its share, and names the memories it kept", () => {
    const aboutMe = "I am Robin, a night-shift nurse who loves sea swimming. " + "More about me. ".repeat(400);
    const prompt = buildExchangePrompt(
      context({
        persona: { ...persona(), aboutMe },
        memories: { pinned: [{ id: "m-pinned", title: "Dog", content: "Biscuit" }], relevant: Array.from({ length: 5 }, (_, i) => ({ id: `m-${i}`, title: "Note", content: "x ".repeat(300) })) },
        summary: "Earlier they talked about Robin's move to Leeds. " + "And more. ".repeat(2000),
        recent: Array.from({ length: 50 }, (_, i) => ({ role: i % 2 === 0 ? ("user" as const) : ("assistant" as const), content: `turn ${i} `.repeat(20) })),
      }),
      "hello",
      { contextTokens: 4096, replyTokens: 400 },
      now,
    );
    const system = prompt.messages[0]?.content ?? "";
    expect(system).toContain("About the person (they wrote this themselves): I am Robin, a night-shift nurse");
    expect(system).toContain("Earlier in this conversation: Earlier they talked about Robin's move to Leeds.");
    const budget = promptBudget({ contextTokens: 4096, replyTokens: 400 });
    const aboutLine = system.split("\n").find((l) => l.startsWith("About the person")) ?? "";
    const summaryLine = system.split("\n").find((l) => l.startsWith("Earlier in this conversation")) ?? "";
    expect(estimateMessagesTokens([{ role: "system", content: aboutLine }])).toBeLessThanOrEqual(budget.aboutMe! + 8);
    expect(estimateMessagesTokens([{ role: "system", content: summaryLine }])).toBeLessThanOrEqual(budget.summary! + 8);
    expect(prompt.tokenCount).toBeLessThanOrEqual(4096 - 400);
    // The pinned memory fits and comes first; the long relevant ones only as far as the share allows.
    expect(prompt.memoryIds[0]).toBe("m-pinned");
    expect(prompt.memoryIds.length).toBeLessThan(6);
  });

  it("leaves both blocks out when they are empty", () => {
    const system = buildExchangePrompt(context(), "hello", { contextTokens: 2048, replyTokens: 300 }, now).messages[0]?.content ?? "";
    expect(system).not.toContain("About the person");
    expect(system).not.toContain("Earlier in this conversation");
  });
});

describe("a reply to a story", () => {
  it("names the story before the user's words; a plain message is left as written", () => {
    const budget = { contextTokens: 4_096, replyTokens: 400 };
    const reply = buildExchangePrompt(context({ story: { caption: "  Meteors over the bay " } }), "So pretty!", budget, now);
    expect(reply.messages.at(-1)).toEqual({ role: "user", content: '[The user is replying to your story: "Meteors over the bay"]\nSo pretty!' });
    const untitled = buildExchangePrompt(context({ story: { caption: null } }), "So pretty!", budget, now);
    expect(untitled.messages.at(-1)?.content).toBe("[The user is replying to your story: (a story without a caption)]\nSo pretty!");
    expect(buildExchangePrompt(context({ story: null }), "So pretty!", budget, now).messages.at(-1)?.content).toBe("So pretty!");
  });
});

describe("a character card's fields in the prompt", () => {
  it("reach the model with {{char}} and {{user}} filled in; the post-history note comes right before my turn", () => {
    const card = {
      ...persona(),
      personality: "Gentle, {{char}} hums while working.",
      scenario: "{{user}} wakes up in {{char}}'s cottage.",
      exampleDialogues: "<START>\n{{user}}: Hi\n{{char}}: *waves*",
      postHistoryInstructions: "Stay in the cottage scene.",
      catchphrases: ["By the stars!"],
      neverSay: ["the word cheese"],
    };
    const prompt = buildExchangePrompt(context({ persona: card, recent: [{ role: "assistant", content: "Hello" }] }), "Where am I?", { contextTokens: 4_096, replyTokens: 400 }, now);
    const system = prompt.messages[0]?.content ?? "";
    expect(system).toContain("Personality: Gentle, Luna hums while working.");
    expect(system).toContain("Scenario: Sam wakes up in Luna's cottage.");
    expect(system).toContain("Sam: Hi\nLuna: *waves*");
    expect(system).toContain("By the stars!");
    expect(system).toContain("Never say any of these: the word cheese");
    expect(prompt.messages.map((m) => m.role)).toEqual(["system", "assistant", "system", "user"]);
    expect(prompt.messages.at(-2)?.content).toBe("Stay in the cottage scene.");
    expect(estimateMessagesTokens(prompt.messages)).toBeLessThanOrEqual(4_096 - 400);
  });

  it("gives way, example dialogues first, when the persona budget is small", () => {
    const card = { ...persona(), exampleDialogues: "x ".repeat(3_000), neverSay: ["the word cheese"] };
    const prompt = buildExchangePrompt(context({ persona: card }), "Hi", { contextTokens: 1_024, replyTokens: 200 }, now);
    const system = prompt.messages[0]?.content ?? "";
    expect(system).toContain("Never say any of these: the word cheese");
    expect(estimateMessagesTokens(prompt.messages)).toBeLessThanOrEqual(1_024 - 200);
  });
});
